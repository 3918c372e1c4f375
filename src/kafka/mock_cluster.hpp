#pragma once
// librdkafka's in-memory mock cluster: real Kafka protocol on loopback sockets, for
// development and tests. See shared/MOCK-BROKER.md for what it can and cannot do.

#include <cstdint>
#include <optional>
#include <string>

#include "common/expected.hpp"
#include "kafka/client.hpp"

struct rd_kafka_mock_cluster_s;

namespace kpipe::kafka {

class MockCluster {
  public:
    static Expected<MockCluster> start(int broker_count);

    MockCluster(MockCluster&& other) noexcept;
    MockCluster& operator=(MockCluster&&) = delete;
    ~MockCluster();

    // "127.0.0.1:PORT[,...]": what clients pass as bootstrap.servers.
    std::string bootstrap_servers() const;

    Status create_topic(const std::string& name, int partitions, int replication_factor);

    // Fault injection: a broker that is down closes its connections and refuses new ones;
    // metadata still lists it (as partition leader too), as the mock keeps no liveness state.
    Status set_broker_down(std::int32_t broker_id);
    Status set_broker_up(std::int32_t broker_id);
    // Adds `rtt_ms` of delay to every response of the broker.
    Status set_broker_rtt(std::int32_t broker_id, int rtt_ms);
    // The next `count` requests of type `api_key` (to `broker_id` only, if given) fail with the
    // Kafka error `error_code`.
    Status push_request_errors(std::int16_t api_key, int count, std::int32_t error_code,
                               std::optional<std::int32_t> broker_id);
    // Makes `broker_id` the leader of the partition; clients asking the old one get
    // NOT_LEADER_OR_FOLLOWER and refresh their metadata.
    Status set_partition_leader(const std::string& topic, std::int32_t partition,
                                std::int32_t broker_id);
    // Makes `broker_id` the coordinator of a group ("group") or transactional id ("transaction").
    Status set_coordinator(const std::string& key_type, const std::string& key,
                           std::int32_t broker_id);

    int broker_count() const { return broker_count_; }

  private:
    MockCluster(Client owner, rd_kafka_mock_cluster_s* cluster, int broker_count);

    Client owner_;  // the mock cluster runs on this client's threads
    rd_kafka_mock_cluster_s* cluster_;
    int broker_count_;
};

}  // namespace kpipe::kafka
