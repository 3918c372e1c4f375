#include "topic_check/partition_reader.hpp"

namespace kpipe::topic_check {

config::ClientSettings with_defaults(config::ClientSettings settings,
                                     std::vector<std::pair<std::string, std::string>> defaults) {
    defaults.insert(defaults.end(), settings.properties.begin(), settings.properties.end());
    settings.properties = std::move(defaults);
    return settings;
}

Expected<kafka::Consumer> assigned_consumer(const config::ClientSettings& settings,
                                            const std::string& topic,
                                            const std::vector<kafka::TopicPartition>& starts) {
    auto consumer = kafka::Consumer::create(
        with_defaults(settings, {{"fetch.wait.max.ms", "10"}, {"enable.partition.eof", "false"}}),
        std::nullopt);
    if (!consumer) return consumer.error();
    std::vector<kafka::TopicPartition> partitions = starts;
    for (auto& partition : partitions) partition.topic = topic;
    if (auto assigned = consumer->assign(partitions); !assigned) return assigned.error();
    return consumer;
}

}  // namespace kpipe::topic_check
