#pragma once
// The envelope: one JSON object per line carrying a whole record, written by
// `kpipe consume --envelope` and read by `kpipe produce --envelope`, so that consume → produce
// reproduces topic, partition, offset, timestamp, key, headers and value byte for byte:
//
//   {"topic":"t","partition":0,"offset":42,"timestamp":1694479551000,"timestamp_type":"create",
//    "key":"k","headers":[{"key":"h","value":"v"},{"key":"b","value_b64":"//4="}],"value":{"a":1}}
//
// Bytes that are not UTF-8 travel base64 encoded under a "_b64" name ("key_b64", "value_b64",
// and in headers "key_b64"/"value_b64"); a value that is a JSON object or array is embedded as is.

#include <memory>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "record/record.hpp"

namespace kpipe::record {

// Reuses a simdjson parser across records; not thread safe.
class EnvelopeEncoder {
  public:
    EnvelopeEncoder();
    ~EnvelopeEncoder();
    EnvelopeEncoder(EnvelopeEncoder&&) noexcept;
    EnvelopeEncoder& operator=(EnvelopeEncoder&&) noexcept;

    // Appends one envelope JSON object for `record` to `out`; no trailing newline.
    void encode(const RecordView& record, std::string& out);

  private:
    struct Parsers;  // keeps simdjson.h out of this header
    std::unique_ptr<Parsers> parsers_;
};

// Reuses its parsers and line buffer across records; not thread safe.
class EnvelopeDecoder {
  public:
    EnvelopeDecoder();
    ~EnvelopeDecoder();
    EnvelopeDecoder(EnvelopeDecoder&&) noexcept;
    EnvelopeDecoder& operator=(EnvelopeDecoder&&) noexcept;

    // Parses one envelope line into `out`, reusing out's buffers. Fields may come in any order;
    // unknown fields are ignored. On error the message names the field and the problem, e.g.
    // "envelope field 'value_b64' is not valid base64", and `out` is left partly filled.
    Status decode(std::string_view line, Record& out);

  private:
    struct Parsers;
    std::unique_ptr<Parsers> parsers_;
};

}  // namespace kpipe::record
