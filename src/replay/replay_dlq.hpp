#pragma once
// `kpipe replay-dlq`: sends dead-lettered records back to the topic they came from (read from
// the dead-letter headers) or to --to, at least once, with progress in a consumer group and a
// replay counter that stops a poison record from looping.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "filter/arguments.hpp"

namespace kpipe::replay {

struct ReplayOptions {
    std::string dlq;
    std::optional<std::string> filter;  // repairs the value; each output becomes a record
    std::vector<filter::FilterVariable> variables;  // $NAME from --arg, --argjson, ...
    std::optional<std::string> to;      // target topic instead of the origin
    std::optional<std::string> where;   // replay only records whose value it holds for
    bool same_partition = false;
    bool dry_run = false;
    std::optional<std::uint64_t> max;      // stop after this many replayed records
    std::optional<double> rate;            // replayed records per second
    std::optional<std::int64_t> since_ms;  // record timestamps at or after
    std::optional<std::int64_t> until_ms;  // record timestamps before
    std::optional<std::string> error_contains;
    std::uint32_t max_replays = 3;
    bool keep_headers = false;
    std::optional<std::string> group;  // default: kpipe-replay-<dlq>
    bool follow = false;
    std::chrono::milliseconds timeout{10000};

    std::string group_id() const { return group.value_or("kpipe-replay-" + dlq); }
};

struct ReplaySummary {
    std::uint64_t read = 0;
    std::uint64_t replayed = 0;       // dead-letter records sent back (or, dry run, that would be)
    std::uint64_t skipped = 0;        // by --where, FILTER, --error-contains, --since, --until
    std::uint64_t filter_errors = 0;  // of skipped: the value is not JSON or the filter failed
    std::uint64_t over_limit = 0;     // left in place: replayed --max-replays times already
    std::uint64_t unroutable = 0;     // left in place: no usable origin headers and no --to
    double seconds = 0;
    bool interrupted = false;
};

// Compiles the filters first (a bad one is a usage error before connecting). With dry_run,
// prints the report on stdout and produces and commits nothing.
Expected<ReplaySummary> run_replay_dlq(const ReplayOptions& options,
                                       const config::ClientSettings& settings);

}  // namespace kpipe::replay
