#pragma once
// `kpipe topic-check`: smoke tests of topics — existence, partitions, replication, leaders,
// watermarks, and optionally a canary round trip, a group's lag and sampled records' JSON.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "topic_check/metadata_checks.hpp"
#include "topic_check/report.hpp"

namespace kpipe::topic_check {

inline constexpr int default_roundtrip_records = 10;

struct TopicCheckOptions {
    std::vector<std::string> topics;
    Expectations expected;
    std::optional<int> roundtrip;  // canaries per partition
    std::optional<double> max_latency_ms;
    std::optional<std::string> group;
    std::optional<std::int64_t> max_lag;
    std::optional<int> sample;  // records per partition
    std::optional<std::string> schema_file;
    std::chrono::milliseconds timeout{10000};  // bounds the whole run
};

// Runs every check of every topic. Fails only for inconsistent options or a schema that cannot
// be read (usage errors) and when no broker answers (runtime error); failed checks are in the
// report.
Expected<Report> run_topic_check(const TopicCheckOptions& options,
                                 const config::ClientSettings& settings);

}  // namespace kpipe::topic_check
