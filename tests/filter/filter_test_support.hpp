#pragma once
// Shared helpers for the filter tests: run a filter on one document and look at the result.

#include <string>
#include <string_view>
#include <vector>

#include "filter/filter.hpp"

namespace kpipe::filter::testing {

struct Run {
    bool compiled = false;
    std::string compile_error;
    std::vector<std::string> outputs;
    bool failed = false;
    FailureKind failure_kind = FailureKind::filter_error;
    std::string message;

    // "out1\nout2" or "error: <message>" / "invalid: <message>" / "compile: <message>".
    std::string summary() const {
        if (!compiled) return "compile: " + compile_error;
        if (failed) {
            return (failure_kind == FailureKind::invalid_json ? "invalid: " : "error: ") + message;
        }
        std::string joined;
        for (const std::string& output : outputs) {
            if (!joined.empty()) joined += "\n";
            joined += output;
        }
        return joined;
    }
};

inline Run run_on(Filter& filter, std::string_view document) {
    Run run;
    run.compiled = true;
    FilterOutputs outputs;
    if (auto failure = filter.apply(document, outputs)) {
        run.failed = true;
        run.failure_kind = failure->kind;
        run.message = failure->message;
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) run.outputs.emplace_back(outputs[i]);
    return run;
}

inline Run run_filter(std::string_view source, std::string_view document) {
    auto filter = Filter::compile(source);
    if (!filter) {
        Run run;
        run.compile_error = filter.error().message;
        return run;
    }
    return run_on(*filter, document);
}

// Shorthand for tests: the summary of running `source` on `document`.
inline std::string jq(std::string_view source, std::string_view document) {
    return run_filter(source, document).summary();
}

}  // namespace kpipe::filter::testing
