#include "topic_check/lag.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

#include "kafka/consumer.hpp"
#include "topic_check/metadata_checks.hpp"

namespace kpipe::topic_check {

Expected<std::vector<kafka::TopicPartition>> read_committed(
    const config::ClientSettings& settings, const std::string& group, const std::string& topic,
    const std::vector<std::int32_t>& partitions, std::chrono::milliseconds timeout) {
    auto consumer = kafka::Consumer::create(settings, group);
    if (!consumer) return consumer.error();
    std::vector<kafka::TopicPartition> asked;
    for (auto partition : partitions) asked.push_back({topic, partition});
    return consumer->committed(asked, timeout);
}

std::vector<PartitionLag> compute_lag(const std::vector<PartitionReport>& partitions,
                                      const std::vector<kafka::TopicPartition>& committed) {
    std::vector<PartitionLag> lag;
    for (const auto& partition : partitions) {
        if (!partition.low || !partition.high) continue;
        PartitionLag entry{partition.partition, std::nullopt, *partition.high, 0};
        auto found = std::find_if(committed.begin(), committed.end(), [&](const auto& offset) {
            return offset.partition == partition.partition;
        });
        if (found != committed.end() && found->offset >= 0) entry.committed = found->offset;
        // A commit below the log start counts from the log start: older records are gone.
        const auto from = std::max(entry.committed.value_or(*partition.low), *partition.low);
        entry.lag = std::max<std::int64_t>(*partition.high - from, 0);
        lag.push_back(entry);
    }
    return lag;
}

CheckResult check_lag(const std::string& group, const std::vector<PartitionLag>& lag,
                      std::optional<std::int64_t> max_lag,
                      const std::vector<PartitionReport>& partitions) {
    std::int64_t total = 0;
    std::vector<std::string> over;
    std::vector<std::int32_t> uncommitted;
    for (const auto& entry : lag) {
        total += entry.lag;
        if (!entry.committed) uncommitted.push_back(entry.partition);
        if (max_lag && entry.lag > *max_lag) {
            over.push_back(fmt::format("partition {} lag {}{}", entry.partition, entry.lag,
                                       entry.committed ? "" : " (no committed offset)"));
        }
    }
    std::vector<std::int32_t> unread;
    for (const auto& partition : partitions) {
        if (!partition.high) unread.push_back(partition.partition);
    }
    std::string notes;
    if (!uncommitted.empty()) {
        notes += "; no committed offset on partitions " + join_numbers(uncommitted);
    }
    if (!unread.empty())
        notes += "; partitions " + join_numbers(unread) + " not read (see leaders)";
    if (lag.empty()) {
        return {"lag", CheckStatus::skipped, "no partition's watermarks could be read" + notes};
    }
    if (!over.empty()) {
        return {"lag", CheckStatus::fail,
                fmt::format("group {} over --max-lag {}: {}{}", group, *max_lag,
                            fmt::join(over, "; "), notes)};
    }
    if (!max_lag) {
        return {"lag", CheckStatus::skipped,
                fmt::format("no --max-lag bound; group {} lags {} records in total{}", group, total,
                            notes)};
    }
    return {"lag", CheckStatus::pass,
            fmt::format("group {} lags {} records in total, at most {} per partition{}", group,
                        total, *max_lag, notes)};
}

}  // namespace kpipe::topic_check
