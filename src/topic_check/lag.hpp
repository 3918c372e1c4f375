#pragma once
// `--group G [--max-lag N]`: the group's committed offsets against the high watermarks, read
// with OffsetFetch by a consumer that never joins the group.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/topic_partition.hpp"
#include "topic_check/report.hpp"

namespace kpipe::topic_check {

// The group's committed offsets for these partitions of `topic` (RD_KAFKA_OFFSET_INVALID where
// it committed none).
Expected<std::vector<kafka::TopicPartition>> read_committed(
    const config::ClientSettings& settings, const std::string& group, const std::string& topic,
    const std::vector<std::int32_t>& partitions, std::chrono::milliseconds timeout);

// Lag per partition with known watermarks: high - committed, or high - low without a commit.
std::vector<PartitionLag> compute_lag(const std::vector<PartitionReport>& partitions,
                                      const std::vector<kafka::TopicPartition>& committed);

// `lag`: fails when a partition's lag exceeds `max_lag`; skipped (just reported) without it.
CheckResult check_lag(const std::string& group, const std::vector<PartitionLag>& lag,
                      std::optional<std::int64_t> max_lag,
                      const std::vector<PartitionReport>& partitions);

}  // namespace kpipe::topic_check
