#pragma once
// `kpipe transform`: records from a topic or stdin, through a filter, to a
// topic or stdout; what cannot be processed goes to a dead-letter topic (or
// file), never silently dropped.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "filter/arguments.hpp"
#include "pipeline/output_shape.hpp"

namespace kpipe::pipeline {

struct TransformOptions {
    std::string in;   // topic, or "-" for stdin
    std::string out;  // topic, or "-" for stdout
    std::string filter;
    std::vector<filter::FilterVariable> variables;  // $NAME from --arg, --argjson, ...
    OutputShapeOptions shape;                       // --key, --header, --topic
    std::optional<std::string> dlq;       // dead-letter topic (default: <in>-dlq)
    std::optional<std::string> dlq_file;  // stdin input: dead letters as envelope lines
    std::optional<std::string> group;     // default: kpipe-transform-<in>-<out>
    bool envelope = false;                // stdin/stdout carry envelope lines instead of values
    bool exit_at_end = false;
    std::optional<std::uint64_t> count;
    bool exactly_once = false;
    std::optional<std::string> transactional_id;  // default: kpipe-<group>-<host>-<pid>
    std::size_t max_record_bytes = 1 << 20;
    std::chrono::milliseconds timeout{10000};

    bool from_stdin() const { return in == "-"; }
    bool to_stdout() const { return out == "-"; }
    // From stdin the dead letters are lines, but their envelope still names a topic.
    std::string dlq_topic() const { return dlq.value_or(from_stdin() ? "stdin-dlq" : in + "-dlq"); }
    std::string group_id() const { return group.value_or("kpipe-transform-" + in + "-" + out); }
};

struct TransformSummary {
    std::uint64_t in = 0;
    std::uint64_t out = 0;
    std::uint64_t filtered = 0;
    std::uint64_t dead_lettered = 0;
    double seconds = 0;
    bool interrupted = false;
    bool output_closed = false;
};

// The filter must already be known to compile; setup problems (unreachable
// brokers, an undeliverable record) are errors, per-record problems are dead
// letters in the summary.
Expected<TransformSummary> run_transform(const TransformOptions& options,
                                         const config::ClientSettings& settings);

}  // namespace kpipe::pipeline
