#pragma once
// What `kpipe topic-check` found: per topic, named checks (pass / fail / skipped with a
// one-line detail) and the facts behind them (partitions, round trip, lag).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kpipe::topic_check {

enum class CheckStatus { pass, fail, skipped };

const char* status_name(CheckStatus status);  // "pass", "fail", "skipped"

struct CheckResult {
    std::string name{};  // stable: exists, partitions, replicas, leaders, ...
    CheckStatus status = CheckStatus::pass;
    std::string detail{};  // for skipped: why
};

struct PartitionReport {
    std::int32_t partition = 0;
    std::int32_t leader = -1;
    std::vector<std::int32_t> replicas{};
    std::vector<std::int32_t> isr{};
    std::optional<std::int64_t> low{};  // nullopt: the leader did not answer
    std::optional<std::int64_t> high{};
    std::string unreachable{};  // why the watermarks could not be read, empty when they were
};

struct LatencySummary {
    double p50_ms = 0;
    double p99_ms = 0;
    std::size_t samples = 0;
};

struct RoundtripReport {
    int records_per_partition = 0;
    std::vector<std::int32_t> partitions{};
    std::uint64_t sent = 0;
    std::uint64_t acknowledged = 0;
    std::uint64_t received = 0;  // distinct canaries read back
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t altered = 0;
    std::vector<std::string> problems{};  // first few, e.g. "partition 1 seq 4: lost"
    std::optional<LatencySummary> produce_ack{};
    std::optional<LatencySummary> round_trip{};
    std::string error{};  // why it could not run, empty when it did
};

struct PartitionLag {
    std::int32_t partition = 0;
    std::optional<std::int64_t> committed{};  // nullopt: the group committed nothing here
    std::int64_t high = 0;
    std::int64_t lag = 0;
};

struct TopicReport {
    std::string topic{};
    std::vector<CheckResult> checks{};
    std::vector<PartitionReport> partitions{};
    std::optional<RoundtripReport> roundtrip{};
    std::optional<std::string> group{};
    std::vector<PartitionLag> lag{};
};

struct Report {
    std::vector<TopicReport> topics{};
    bool ok() const;
};

// One line per failed check: "TOPIC: CHECK: DETAIL".
std::vector<std::string> failure_lines(const Report& report);

}  // namespace kpipe::topic_check
