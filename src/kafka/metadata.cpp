#include "kafka/metadata.hpp"

#include <algorithm>
#include <memory>

namespace kpipe::kafka {
namespace {

struct AdminOptionsDeleter {
    void operator()(rd_kafka_AdminOptions_t* options) const {
        rd_kafka_AdminOptions_destroy(options);
    }
};
struct ConfigResourceDeleter {
    void operator()(rd_kafka_ConfigResource_t* resource) const {
        rd_kafka_ConfigResource_destroy(resource);
    }
};
struct EventDeleter {
    void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

}  // namespace

Expected<ClusterSnapshot> fetch_metadata(Client& client, const std::vector<std::string>& topics,
                                         std::chrono::milliseconds timeout) {
    auto reply = client.metadata(true, nullptr, timeout);
    if (!reply) return reply.error();
    const rd_kafka_metadata_t* metadata = reply->get();
    ClusterSnapshot snapshot;
    for (int i = 0; i < metadata->broker_cnt; ++i) {
        const auto& broker = metadata->brokers[i];
        snapshot.brokers.push_back({broker.id, broker.host, broker.port});
    }
    for (const auto& name : topics) {
        TopicInfo topic{name};
        topic.error = "unknown topic";
        for (int t = 0; t < metadata->topic_cnt; ++t) {
            const auto& found = metadata->topics[t];
            if (name != found.topic) continue;
            topic.exists = found.err == RD_KAFKA_RESP_ERR_NO_ERROR && found.partition_cnt > 0;
            topic.error = topic.exists ? "" : error_text(found.err);
            for (int p = 0; p < found.partition_cnt; ++p) {
                const auto& partition = found.partitions[p];
                PartitionInfo info{partition.id, partition.leader};
                info.replicas.assign(partition.replicas,
                                     partition.replicas + partition.replica_cnt);
                info.isr.assign(partition.isrs, partition.isrs + partition.isr_cnt);
                if (partition.err != RD_KAFKA_RESP_ERR_NO_ERROR)
                    info.error = error_text(partition.err);
                topic.partitions.push_back(std::move(info));
            }
            std::sort(topic.partitions.begin(), topic.partitions.end(),
                      [](const auto& a, const auto& b) { return a.partition < b.partition; });
        }
        snapshot.topics.push_back(std::move(topic));
    }
    return snapshot;
}

Expected<std::optional<std::string>> describe_topic_config(Client& client, const std::string& topic,
                                                           const std::string& name,
                                                           std::chrono::milliseconds timeout) {
    const int milliseconds = static_cast<int>(timeout.count());
    QueuePtr queue{rd_kafka_queue_new(client.handle())};
    std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> options{
        rd_kafka_AdminOptions_new(client.handle(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)};
    rd_kafka_AdminOptions_set_request_timeout(options.get(), milliseconds, nullptr, 0);
    std::unique_ptr<rd_kafka_ConfigResource_t, ConfigResourceDeleter> resource{
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str())};
    rd_kafka_ConfigResource_t* resources[] = {resource.get()};
    rd_kafka_DescribeConfigs(client.handle(), resources, 1, options.get(), queue.get());
    std::unique_ptr<rd_kafka_event_t, EventDeleter> event{
        rd_kafka_queue_poll(queue.get(), milliseconds + 100)};
    if (event == nullptr || rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::string reason =
            event == nullptr ? "no answer" : rd_kafka_event_error_string(event.get());
        return Error{"DescribeConfigs failed (" + reason + ")"};
    }
    const auto* result = rd_kafka_event_DescribeConfigs_result(event.get());
    size_t count = 0;
    const auto* const* described = rd_kafka_DescribeConfigs_result_resources(result, &count);
    if (count != 1 || rd_kafka_ConfigResource_error(described[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{"DescribeConfigs failed for topic '" + topic + "'"};
    }
    size_t entry_count = 0;
    const auto* const* entries = rd_kafka_ConfigResource_configs(described[0], &entry_count);
    for (size_t i = 0; i < entry_count; ++i) {
        if (name != rd_kafka_ConfigEntry_name(entries[i])) continue;
        const char* value = rd_kafka_ConfigEntry_value(entries[i]);
        if (value == nullptr) return std::optional<std::string>{};
        return std::optional<std::string>{value};
    }
    return std::optional<std::string>{};
}

}  // namespace kpipe::kafka
