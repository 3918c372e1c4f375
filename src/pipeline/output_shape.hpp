#pragma once
// What a transform sets on each output besides its value: the key, headers and topic, each a
// jq filter run on the output value (--key EXPR, --header NAME=EXPR, --topic EXPR). Its first
// output is used: a string as it is, any other value as compact JSON; no output leaves the
// input's key, adds no header, or keeps --out.

#include <simdjson.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "filter/filter.hpp"
#include "record/record.hpp"

namespace kpipe::pipeline {

struct OutputShapeOptions {
    std::optional<std::string> key;
    std::optional<std::string> topic;
    std::vector<std::string> headers;  // NAME=EXPR
    bool empty() const { return !key && !topic && headers.empty(); }
};

class OutputShape {
  public:
    // Compiles the expressions; errors are usage errors naming the option.
    static Expected<OutputShape> compile(const OutputShapeOptions& options,
                                         const std::vector<filter::FilterVariable>& variables);

    bool empty() const { return !key_ && !topic_ && headers_.empty(); }

    // Computes the key, topic and headers of each output of `input`; a filter error names the
    // option that failed.
    std::optional<std::string> shape(const record::RecordView& input,
                                     const filter::FilterOutputs& outputs);
    // Applies what shape() computed for output `index` to `output`.
    void apply(std::size_t index, record::RecordView& output) const;

  private:
    struct Computed {
        std::optional<std::string> key;
        std::optional<std::string> topic;
        std::vector<std::pair<std::string, std::string>> headers;
    };
    std::string text_of(std::string_view json);
    std::optional<std::string> evaluate(filter::Filter& filter, std::string_view value,
                                        std::string_view option, std::optional<std::string>& out);

    std::optional<filter::Filter> key_;
    std::optional<filter::Filter> topic_;
    std::vector<std::pair<std::string, filter::Filter>> headers_;
    filter::FilterOutputs scratch_;
    simdjson::ondemand::parser parser_;
    std::string padded_;
    std::vector<Computed> computed_;
    std::vector<std::vector<record::HeaderView>> header_views_;
};

}  // namespace kpipe::pipeline
