#include "topic_check/metadata_checks.hpp"

#include <spdlog/fmt/fmt.h>

#include <map>

namespace kpipe::topic_check {
namespace {

std::string plural(std::size_t count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "partition 3" or "partitions 1, 4".
std::string partitions_phrase(const std::vector<std::int32_t>& partitions) {
    return (partitions.size() == 1 ? "partition " : "partitions ") + join_numbers(partitions);
}

}  // namespace

std::string join_numbers(const std::vector<std::int32_t>& numbers) {
    std::string text;
    for (auto number : numbers) text += (text.empty() ? "" : ", ") + std::to_string(number);
    return text;
}

CheckResult check_exists(const kafka::TopicInfo& topic, const std::string& brokers) {
    if (topic.exists) return {"exists", CheckStatus::pass, "topic exists"};
    return {"exists", CheckStatus::fail,
            "topic does not exist at " + brokers + " (" + topic.error +
                "); check the name or create the topic"};
}

std::vector<CheckResult> check_metadata(const kafka::TopicInfo& topic,
                                        const Expectations& expected) {
    std::vector<CheckResult> results;
    const auto found = static_cast<int>(topic.partitions.size());
    if (expected.partitions && *expected.partitions != found) {
        results.push_back({"partitions", CheckStatus::fail,
                           fmt::format("expected {}, found {}", *expected.partitions, found)});
    } else {
        results.push_back({"partitions", CheckStatus::pass,
                           plural(topic.partitions.size(), "partition", "partitions") +
                               (expected.partitions ? ", as expected" : "")});
    }

    // Replication factor per partition: grouped so the detail stays one line.
    std::map<std::size_t, std::vector<std::int32_t>> by_replicas;
    for (const auto& partition : topic.partitions) {
        by_replicas[partition.replicas.size()].push_back(partition.partition);
    }
    if (expected.replicas) {
        std::string wrong;
        for (const auto& [count, partitions] : by_replicas) {
            if (static_cast<int>(count) == *expected.replicas) continue;
            wrong +=
                fmt::format("{}{} {} {}", wrong.empty() ? "" : "; ", partitions_phrase(partitions),
                            partitions.size() == 1 ? "has" : "have", count);
        }
        if (wrong.empty()) {
            results.push_back(
                {"replicas", CheckStatus::pass,
                 fmt::format("{} replicas per partition, as expected", *expected.replicas)});
        } else {
            results.push_back({"replicas", CheckStatus::fail,
                               fmt::format("expected {} replicas: {}", *expected.replicas, wrong)});
        }
    } else if (by_replicas.size() == 1) {
        results.push_back({"replicas", CheckStatus::pass,
                           fmt::format("replication factor {}", by_replicas.begin()->first)});
    } else {
        std::string counts;
        for (const auto& [count, partitions] : by_replicas) {
            counts += fmt::format("{}{}: {}", counts.empty() ? "" : "; ",
                                  partitions_phrase(partitions), count);
        }
        results.push_back({"replicas", CheckStatus::pass, "replication factors differ: " + counts});
    }

    std::vector<std::string> under;
    for (const auto& partition : topic.partitions) {
        if (partition.isr.size() < partition.replicas.size()) {
            under.push_back(fmt::format("partition {} ISR {} of {} replicas", partition.partition,
                                        partition.isr.size(), partition.replicas.size()));
        }
    }
    if (under.empty()) {
        results.push_back({"under-replicated", CheckStatus::pass,
                           "every partition has all its replicas in sync"});
    } else {
        results.push_back(
            {"under-replicated", CheckStatus::fail, fmt::format("{}", fmt::join(under, "; "))});
    }

    if (expected.min_isr) {
        std::vector<std::string> below;
        for (const auto& partition : topic.partitions) {
            if (static_cast<int>(partition.isr.size()) < *expected.min_isr) {
                below.push_back(
                    fmt::format("partition {} has {}", partition.partition, partition.isr.size()));
            }
        }
        if (below.empty()) {
            results.push_back({"min-isr", CheckStatus::pass,
                               fmt::format("every partition has at least {} in-sync replicas",
                                           *expected.min_isr)});
        } else {
            results.push_back({"min-isr", CheckStatus::fail,
                               fmt::format("expected at least {} in-sync replicas: {}",
                                           *expected.min_isr, fmt::join(below, "; "))});
        }
    }
    return results;
}

CheckResult check_leaders(const std::vector<PartitionReport>& partitions) {
    std::vector<std::int32_t> leaderless;
    std::map<std::int32_t, std::vector<std::int32_t>> unreachable_by_leader;
    std::map<std::int32_t, std::string> reason_by_leader;
    for (const auto& partition : partitions) {
        if (partition.leader < 0) {
            leaderless.push_back(partition.partition);
        } else if (!partition.unreachable.empty()) {
            unreachable_by_leader[partition.leader].push_back(partition.partition);
            reason_by_leader.emplace(partition.leader, partition.unreachable);
        }
    }
    if (leaderless.empty() && unreachable_by_leader.empty()) {
        return {"leaders", CheckStatus::pass, "every partition has a leader that answers"};
    }
    std::vector<std::string> problems;
    if (!leaderless.empty()) {
        problems.push_back(partitions_phrase(leaderless) +
                           (leaderless.size() == 1 ? " has" : " have") + " no leader");
    }
    for (const auto& [leader, led] : unreachable_by_leader) {
        problems.push_back(fmt::format("{} led by broker {}: leader unreachable ({})",
                                       partitions_phrase(led), leader, reason_by_leader[leader]));
    }
    return {"leaders", CheckStatus::fail, fmt::format("{}", fmt::join(problems, "; "))};
}

CheckResult check_watermarks(const std::vector<PartitionReport>& partitions) {
    std::int64_t records = 0;
    std::size_t read = 0;
    std::vector<std::int32_t> unread;
    for (const auto& partition : partitions) {
        if (!partition.low || !partition.high) {
            unread.push_back(partition.partition);
            continue;
        }
        records += *partition.high - *partition.low;
        ++read;
    }
    if (read == 0) {
        return {"watermarks", CheckStatus::skipped, "no partition's leader answered (see leaders)"};
    }
    std::string detail =
        fmt::format("{} held in {}", plural(static_cast<std::size_t>(records), "record", "records"),
                    plural(read, "partition", "partitions"));
    if (!unread.empty()) {
        detail += "; " + partitions_phrase(unread) + " not read (see leaders)";
    }
    return {"watermarks", CheckStatus::pass, detail};
}

CheckResult check_min_isr_config(int expected, const std::optional<std::string>& value,
                                 const std::string& unavailable_reason) {
    if (!unavailable_reason.empty()) {
        return {"min-isr-config", CheckStatus::skipped,
                "cannot read min.insync.replicas: " + unavailable_reason};
    }
    if (!value) {
        return {"min-isr-config", CheckStatus::skipped,
                "the broker did not report min.insync.replicas for this topic"};
    }
    if (*value == std::to_string(expected)) {
        return {"min-isr-config", CheckStatus::pass,
                "min.insync.replicas is " + *value + ", as expected"};
    }
    return {"min-isr-config", CheckStatus::fail,
            fmt::format("expected min.insync.replicas {}, topic has {}", expected, *value)};
}

}  // namespace kpipe::topic_check
