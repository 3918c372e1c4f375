#pragma once
// librdkafka's in-memory mock cluster: real Kafka protocol on loopback sockets, for
// development and tests. See shared/MOCK-BROKER.md for what it can and cannot do.

#include <cstdint>
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

  private:
    MockCluster(Client owner, rd_kafka_mock_cluster_s* cluster);

    Client owner_;  // the mock cluster runs on this client's threads
    rd_kafka_mock_cluster_s* cluster_;
};

}  // namespace kpipe::kafka
