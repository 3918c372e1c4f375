#include "kafka/mock_cluster.hpp"

#include <librdkafka/rdkafka_mock.h>

namespace kpipe::kafka {

MockCluster::MockCluster(Client owner, rd_kafka_mock_cluster_t* cluster)
    : owner_(std::move(owner)), cluster_(cluster) {}

MockCluster::MockCluster(MockCluster&& other) noexcept
    : owner_(std::move(other.owner_)), cluster_(std::exchange(other.cluster_, nullptr)) {}

MockCluster::~MockCluster() {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

Expected<MockCluster> MockCluster::start(int broker_count) {
    ConfPtr conf{rd_kafka_conf_new()};
    auto owner = Client::create(Client::Role::producer, std::move(conf), "");
    if (!owner) return owner.error();
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner->handle(), broker_count);
    if (cluster == nullptr) return Error{"cannot start the mock Kafka cluster"};
    return MockCluster(std::move(*owner), cluster);
}

std::string MockCluster::bootstrap_servers() const {
    return rd_kafka_mock_cluster_bootstraps(cluster_);
}

Status MockCluster::create_topic(const std::string& name, int partitions, int replication_factor) {
    auto error = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication_factor);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{"cannot create topic '" + name + "': " + error_text(error)};
    }
    return ok();
}

namespace {

Status broker_result(rd_kafka_resp_err_t error, std::int32_t broker_id) {
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return ok();
    return Error{"broker " + std::to_string(broker_id) + ": " + error_text(error)};
}

}  // namespace

Status MockCluster::set_broker_down(std::int32_t broker_id) {
    return broker_result(rd_kafka_mock_broker_set_down(cluster_, broker_id), broker_id);
}

Status MockCluster::set_broker_up(std::int32_t broker_id) {
    return broker_result(rd_kafka_mock_broker_set_up(cluster_, broker_id), broker_id);
}

Status MockCluster::set_broker_rtt(std::int32_t broker_id, int rtt_ms) {
    return broker_result(rd_kafka_mock_broker_set_rtt(cluster_, broker_id, rtt_ms), broker_id);
}

}  // namespace kpipe::kafka
