#include "pipeline/output_producer.hpp"

namespace kpipe::pipeline {

Expected<kafka::Producer> connect_output_producer(
    const config::ClientSettings& settings, std::chrono::milliseconds timeout,
    kafka::DeliveryListener* listener,
    const std::vector<std::pair<std::string, std::string>>& extra) {
    config::ClientSettings with_defaults = settings;
    // A dead letter carries the whole original, however large the input topic allowed it to
    // be, so the client does not cap record size: the output topic's max.message.bytes
    // decides, and a refusal is reported with the input offset left uncommitted.
    std::vector<std::pair<std::string, std::string>> defaults = {
        {"message.timeout.ms", std::to_string(timeout.count())},
        {"message.max.bytes", "1000000000"}};
    defaults.insert(defaults.end(), extra.begin(), extra.end());
    with_defaults.properties.insert(with_defaults.properties.begin(), defaults.begin(),
                                    defaults.end());
    auto producer = kafka::Producer::create(with_defaults, listener);
    if (!producer) return producer.error();
    if (auto reachable = producer->client().wait_until_reachable(timeout); !reachable) {
        return reachable.error();
    }
    return producer;
}

}  // namespace kpipe::pipeline
