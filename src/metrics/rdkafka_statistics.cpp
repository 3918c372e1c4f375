#include "metrics/rdkafka_statistics.hpp"

#include <simdjson.h>

namespace kpipe::metrics {
namespace {

std::uint64_t unsigned_field(simdjson::dom::element element, std::string_view key) {
    std::int64_t value = 0;
    if (element[key].get_int64().get(value) != simdjson::SUCCESS || value < 0) return 0;
    return static_cast<std::uint64_t>(value);
}

double microseconds_field(simdjson::dom::element window, std::string_view key) {
    std::int64_t value = 0;
    if (window[key].get_int64().get(value) != simdjson::SUCCESS) return 0;
    return value / 1e6;
}

}  // namespace

Expected<ClientStatistics> parse_statistics(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto error = parser.parse(json.data(), json.size()).get(root)) {
        return Error{std::string("librdkafka statistics: ") + simdjson::error_message(error)};
    }
    ClientStatistics statistics;
    std::string_view text;
    if (root["name"].get_string().get(text) == simdjson::SUCCESS) statistics.client = text;
    if (root["type"].get_string().get(text) == simdjson::SUCCESS) statistics.type = text;
    statistics.queue_messages = unsigned_field(root, "msg_cnt");
    statistics.queue_bytes = unsigned_field(root, "msg_size");

    simdjson::dom::object brokers;
    if (root["brokers"].get_object().get(brokers) == simdjson::SUCCESS) {
        for (auto [name, broker] : brokers) {
            BrokerStatistics entry;
            entry.name = name;
            entry.tx_bytes = unsigned_field(broker, "txbytes");
            entry.rx_bytes = unsigned_field(broker, "rxbytes");
            simdjson::dom::element rtt;
            if (broker["rtt"].get(rtt) == simdjson::SUCCESS) {
                entry.rtt_avg_seconds = microseconds_field(rtt, "avg");
                entry.rtt_p99_seconds = microseconds_field(rtt, "p99");
            }
            statistics.brokers.push_back(std::move(entry));
        }
    }
    simdjson::dom::object topics;
    if (root["topics"].get_object().get(topics) == simdjson::SUCCESS) {
        for (auto [topic, details] : topics) {
            simdjson::dom::object partitions;
            if (details["partitions"].get_object().get(partitions) != simdjson::SUCCESS) continue;
            for (auto [id, partition] : partitions) {
                std::int64_t number = -1;
                std::int64_t lag = -1;
                if (partition["partition"].get_int64().get(number) != simdjson::SUCCESS) continue;
                if (partition["consumer_lag"].get_int64().get(lag) != simdjson::SUCCESS) continue;
                // -1 is librdkafka's internal UA partition; a lag of -1 is "not known yet".
                if (number < 0 || lag < 0) continue;
                statistics.lags.push_back(
                    {std::string(topic), static_cast<std::int32_t>(number), lag});
            }
        }
    }
    return statistics;
}

void StatisticsStore::update(ClientStatistics statistics) {
    std::lock_guard lock(mutex_);
    auto name = statistics.client;
    clients_[name] = std::move(statistics);
}

std::int64_t StatisticsStore::total_consumer_lag() const {
    std::lock_guard lock(mutex_);
    std::int64_t total = -1;
    for (const auto& [name, client] : clients_) {
        if (client.type != "consumer") continue;
        for (const auto& lag : client.lags)
            total = std::max<std::int64_t>(total, 0) + lag.consumer_lag;
    }
    return total;
}

void StatisticsStore::render(TextWriter& writer) const {
    std::lock_guard lock(mutex_);
    const auto each_broker = [&](std::string_view name, std::string_view type,
                                 std::string_view help, auto value_of) {
        writer.family(name, type, help);
        for (const auto& [client, statistics] : clients_) {
            for (const auto& broker : statistics.brokers) {
                writer.sample(name, {{"client", client}, {"broker", broker.name}},
                              value_of(broker));
            }
        }
    };
    each_broker("kpipe_kafka_broker_rtt_avg_seconds", "gauge",
                "Average request round-trip time to the broker (librdkafka statistics window)",
                [](const BrokerStatistics& b) { return b.rtt_avg_seconds; });
    each_broker("kpipe_kafka_broker_rtt_p99_seconds", "gauge",
                "99th percentile request round-trip time to the broker",
                [](const BrokerStatistics& b) { return b.rtt_p99_seconds; });
    each_broker("kpipe_kafka_broker_tx_bytes_total", "counter", "Bytes sent to the broker",
                [](const BrokerStatistics& b) { return static_cast<double>(b.tx_bytes); });
    each_broker("kpipe_kafka_broker_rx_bytes_total", "counter", "Bytes received from the broker",
                [](const BrokerStatistics& b) { return static_cast<double>(b.rx_bytes); });

    writer.family("kpipe_kafka_queue_messages", "gauge",
                  "Messages in the client's queues (librdkafka msg_cnt)");
    for (const auto& [client, statistics] : clients_) {
        writer.sample("kpipe_kafka_queue_messages", {{"client", client}},
                      static_cast<double>(statistics.queue_messages));
    }
    writer.family("kpipe_kafka_queue_bytes", "gauge",
                  "Bytes of messages in the client's queues (librdkafka msg_size)");
    for (const auto& [client, statistics] : clients_) {
        writer.sample("kpipe_kafka_queue_bytes", {{"client", client}},
                      static_cast<double>(statistics.queue_bytes));
    }
    writer.family("kpipe_kafka_consumer_lag", "gauge",
                  "Records between the consumer's position and the partition's end");
    for (const auto& [client, statistics] : clients_) {
        for (const auto& lag : statistics.lags) {
            const auto partition = std::to_string(lag.partition);
            writer.sample("kpipe_kafka_consumer_lag",
                          {{"client", client}, {"topic", lag.topic}, {"partition", partition}},
                          static_cast<double>(lag.consumer_lag));
        }
    }
}

}  // namespace kpipe::metrics
