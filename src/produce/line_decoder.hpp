#pragma once
// Turns one input line into the key, value, headers and timestamp of a record to produce.

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "record/envelope.hpp"
#include "record/record.hpp"

namespace kpipe::produce {

enum class InputFormat { json, raw, envelope };

struct LineDecoderOptions {
    InputFormat format = InputFormat::json;
    std::optional<std::string> key_field;      // json: key = this top-level field
    std::optional<std::string> key_delimiter;  // json/raw: key = text before the delimiter
};

class LineDecoder {
  public:
    explicit LineDecoder(LineDecoderOptions options) : options_(std::move(options)) {}

    // Fills `out` (key, value, headers, timestamp; topic and partition are the caller's) from
    // `line`, which must be followed by simdjson's padding of readable bytes. The view stays
    // valid until the next call. Errors say what is wrong with the line, not where it is.
    Status decode(std::string_view line, record::RecordView& out);

    // True for a line that carries no record (blank lines in json and envelope input).
    bool is_blank(std::string_view line) const;

  private:
    Status decode_json(std::string_view line, record::RecordView& out);
    Status decode_envelope(std::string_view line, record::RecordView& out);

    LineDecoderOptions options_;
    simdjson::dom::parser parser_;
    record::EnvelopeDecoder envelope_decoder_;
    record::Record envelope_record_;
    std::vector<record::HeaderView> envelope_headers_;
    std::string key_;
};

}  // namespace kpipe::produce
