#pragma once
// The useful fields of librdkafka's statistics JSON (statistics.interval.ms), kept per client
// (the JSON's "name", e.g. rdkafka#producer-1) and rendered as kpipe_kafka_* families.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "metrics/registry.hpp"

namespace kpipe::metrics {

struct BrokerStatistics {
    std::string name;  // "host:port/nodeid"
    double rtt_avg_seconds = 0;
    double rtt_p99_seconds = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t rx_bytes = 0;
};

struct PartitionLag {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t consumer_lag = 0;
};

struct ClientStatistics {
    std::string client;  // librdkafka's handle name
    std::string type;    // producer or consumer
    std::uint64_t queue_messages = 0;
    std::uint64_t queue_bytes = 0;
    std::vector<BrokerStatistics> brokers;
    std::vector<PartitionLag> lags;  // partitions with a known lag only
};

Expected<ClientStatistics> parse_statistics(std::string_view json);

// The latest statistics of every client, updated from librdkafka's threads and read by scrapes.
class StatisticsStore {
  public:
    void update(ClientStatistics statistics);
    void render(TextWriter& writer) const;
    // Sum of the consumers' per-partition lag, or -1 before any statistics arrived.
    std::int64_t total_consumer_lag() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, ClientStatistics> clients_;
};

}  // namespace kpipe::metrics
