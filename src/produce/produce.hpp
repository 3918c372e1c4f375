#pragma once
// `kpipe produce`: lines from files/stdin, or generated events, to a topic; every record's
// delivery is tracked so the exit status can promise that all were acknowledged.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "produce/line_decoder.hpp"

namespace kpipe::produce {

struct GenerateOptions {
    std::string kind = "user-login";
    std::uint64_t count = 0;            // 0: until interrupted
    double rate = 0;                    // records per second; 0: as fast as possible
    std::optional<std::uint64_t> seed;  // deterministic events (timestamps included)
};

struct ProduceOptions {
    std::string topic;
    std::vector<std::string> files;  // empty: stdin
    LineDecoderOptions decoding;
    std::vector<std::pair<std::string, std::string>> headers;  // -H, added to every record
    std::int32_t partition = -1;
    std::optional<GenerateOptions> generate;
    bool dry_run = false;  // print envelopes to stdout instead of producing
    std::chrono::milliseconds timeout{10000};
};

struct ProduceSummary {
    std::uint64_t records = 0;  // records handed to the producer (or printed, dry run)
    std::uint64_t acknowledged = 0;
    std::uint64_t failed = 0;          // delivery failures
    std::uint64_t rejected_lines = 0;  // input lines that could not be turned into records
    std::string first_failure;
    bool interrupted = false;
    double seconds = 0;

    bool all_delivered() const { return failed == 0 && rejected_lines == 0; }
};

// Known generator kinds, for validation and help.
const std::vector<std::string>& generator_kinds();

// Errors are for setup problems (bad options, unreachable brokers, unreadable files); what
// happened to individual records is in the summary, with each rejected line reported on
// stderr as it is met.
Expected<ProduceSummary> run_produce(const ProduceOptions& options,
                                     const config::ClientSettings& settings);

}  // namespace kpipe::produce
