// A filter on a document, both from the input: the first line is the filter, the rest the JSON
// document. Checks, beyond "no crash":
// - a failure leaves no outputs and its message is one line;
// - applying the filter again to the same document gives the same result (buffers are reused);
// - every output is one valid JSON document that `.` prints back unchanged;
// - when the filter takes the simdjson fast path, the result equals the general evaluator's
//   (the filter behind `(F) | [.][0]`, which means the same but is no fast-path shape).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "filter/filter.hpp"
#include "filter/lexer.hpp"
#include "fuzz_check.hpp"

namespace {

using kpipe::filter::Failure;
using kpipe::filter::FailureKind;
using kpipe::filter::Filter;
using kpipe::filter::FilterOutputs;
using kpipe::fuzz::check;
using kpipe::fuzz::check_equal;

// "out1\nout2", or "error: message" / "invalid: message".
std::string summary(const std::optional<Failure>& failure, const FilterOutputs& outputs) {
    if (failure) {
        return (failure->kind == FailureKind::invalid_json ? "invalid: " : "error: ") +
               failure->message;
    }
    std::string text;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (i > 0) text += '\n';
        text += outputs[i];
    }
    return text;
}

Filter& identity() {
    static Filter filter = std::move(Filter::compile("[.][0]").value());
    return filter;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = kpipe::fuzz::as_text(data, size);
    const std::size_t newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    const std::string_view source = input.substr(0, newline);
    const std::string_view document = input.substr(newline + 1);

    auto filter = Filter::compile(source);
    if (!filter) return 0;

    FilterOutputs outputs;
    const std::optional<Failure> failure = filter->apply(document, outputs);
    const std::string result = summary(failure, outputs);
    if (failure) {
        check(outputs.size() == 0, "a failure leaves no outputs");
        check(failure->message.find('\n') == std::string::npos, "failure message is one line");
    }

    FilterOutputs again;
    check_equal(result, summary(filter->apply(document, again), again), "second apply");

    for (std::size_t i = 0; i < outputs.size(); ++i) {
        FilterOutputs reread;
        const std::string output(outputs[i]);
        const std::optional<Failure> reread_failure = identity().apply(output, reread);
        if (reread_failure && reread_failure->message.find("depth") != std::string::npos) {
            continue;  // an output may nest deeper than inputs are allowed to
        }
        check_equal(output, summary(reread_failure, reread), "output read back through .");
    }

    if (filter->uses_fast_path()) {
        auto general = Filter::compile("(" + std::string(source) + "\n) | [.][0]");
        if (!general) {
            // The empty filter (identity, like jq's) has no parenthesized form.
            auto tokens = kpipe::filter::tokenize(source);
            check(tokens && tokens->size() == 1, "the general-path form compiles");
            return 0;
        }
        check(!general->uses_fast_path(), "the general-path form takes the general path");
        FilterOutputs general_outputs;
        const auto general_failure = general->apply(document, general_outputs);
        check_equal(summary(general_failure, general_outputs), result, "fast path vs general");
    }
    return 0;
}
