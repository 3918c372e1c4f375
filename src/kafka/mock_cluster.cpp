#include "kafka/mock_cluster.hpp"

#include <librdkafka/rdkafka_mock.h>

#include <vector>

namespace kpipe::kafka {

MockCluster::MockCluster(Client owner, rd_kafka_mock_cluster_t* cluster, int broker_count)
    : owner_(std::move(owner)), cluster_(cluster), broker_count_(broker_count) {}

MockCluster::MockCluster(MockCluster&& other) noexcept
    : owner_(std::move(other.owner_)),
      cluster_(std::exchange(other.cluster_, nullptr)),
      broker_count_(other.broker_count_) {}

MockCluster::~MockCluster() {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

Expected<MockCluster> MockCluster::start(int broker_count) {
    ConfPtr conf{rd_kafka_conf_new()};
    auto owner = Client::create(Client::Role::producer, std::move(conf), "");
    if (!owner) return owner.error();
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner->handle(), broker_count);
    if (cluster == nullptr) return Error{"cannot start the mock Kafka cluster"};
    return MockCluster(std::move(*owner), cluster, broker_count);
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

Status MockCluster::push_request_errors(std::int16_t api_key, int count, std::int32_t error_code,
                                        std::optional<std::int32_t> broker_id) {
    const auto error = static_cast<rd_kafka_resp_err_t>(error_code);
    if (!broker_id) {
        const std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count), error);
        rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
        return ok();
    }
    for (int i = 0; i < count; ++i) {
        auto result = rd_kafka_mock_broker_push_request_error_rtts(cluster_, *broker_id, api_key, 1,
                                                                   error, 0);
        if (result != RD_KAFKA_RESP_ERR_NO_ERROR) return broker_result(result, *broker_id);
    }
    return ok();
}

Status MockCluster::set_partition_leader(const std::string& topic, std::int32_t partition,
                                         std::int32_t broker_id) {
    auto error = rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker_id);
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return ok();
    return Error{"cannot move the leader of " + topic + " partition " + std::to_string(partition) +
                 " to broker " + std::to_string(broker_id) + ": " + error_text(error)};
}

Status MockCluster::set_coordinator(const std::string& key_type, const std::string& key,
                                    std::int32_t broker_id) {
    auto error = rd_kafka_mock_coordinator_set(cluster_, key_type.c_str(), key.c_str(), broker_id);
    return broker_result(error, broker_id);
}

}  // namespace kpipe::kafka
