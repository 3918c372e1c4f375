#pragma once
// A snapshot of the cluster's metadata (brokers, and per topic its partitions with leader,
// replicas and in-sync replicas) as plain values, plus the admin look-ups topic-check needs.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "kafka/client.hpp"

namespace kpipe::kafka {

struct BrokerInfo {
    std::int32_t id = 0;
    std::string host{};
    int port = 0;
};

struct PartitionInfo {
    std::int32_t partition = 0;
    std::int32_t leader = -1;  // -1: no leader
    std::vector<std::int32_t> replicas{};
    std::vector<std::int32_t> isr{};
    std::string error{};  // the broker's per-partition error, empty when none
};

struct TopicInfo {
    std::string name{};
    bool exists = false;
    std::string error{};  // why the broker reported no usable topic, when !exists
    std::vector<PartitionInfo> partitions{};
};

struct ClusterSnapshot {
    std::vector<BrokerInfo> brokers{};
    std::vector<TopicInfo> topics{};  // in the order asked for
};

// Metadata of every topic in `topics` in one request (all topics are listed, so asking never
// auto-creates one). Fails only when no broker answers within `timeout`.
Expected<ClusterSnapshot> fetch_metadata(Client& client, const std::vector<std::string>& topics,
                                         std::chrono::milliseconds timeout);

// A topic's configuration value via DescribeConfigs; nullopt when the topic does not set it.
// Fails (with the reason) when the broker does not answer within `timeout`.
Expected<std::optional<std::string>> describe_topic_config(Client& client, const std::string& topic,
                                                           const std::string& name,
                                                           std::chrono::milliseconds timeout);

}  // namespace kpipe::kafka
