#pragma once
// A producer that tracks every record's delivery report, so kpipe can say exactly how many
// records the broker acknowledged and why the others failed.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/client.hpp"
#include "record/record.hpp"

namespace kpipe::kafka {

struct DeliveryCounts {
    std::uint64_t sent = 0;          // handed to librdkafka
    std::uint64_t acknowledged = 0;  // confirmed by the broker
    std::uint64_t failed = 0;        // definitively failed
    std::string first_failure;       // the reason of the first failure
};

class Producer {
public:
    static Expected<Producer> create(const config::ClientSettings& settings);

    // Queues one record; waits (serving delivery reports) while librdkafka's queue is full.
    // The record's topic, partition (-1: partitioner), key, value, headers and timestamp
    // (-1: now) are used; offset is ignored. Fails only for a record librdkafka refuses outright.
    Status send(const record::RecordView& record);

    // Serves delivery reports without blocking.
    void poll() { rd_kafka_poll(client_.handle(), 0); }

    // Waits up to `timeout` for every queued record's report; false if some are still pending.
    bool flush(std::chrono::milliseconds timeout);

    const DeliveryCounts& counts() const { return *counts_; }
    std::uint64_t pending() const { return counts_->sent - counts_->acknowledged - counts_->failed; }
    Client& client() { return client_; }

private:
    Producer(Client client, std::unique_ptr<DeliveryCounts> counts);

    std::unique_ptr<DeliveryCounts> counts_;  // outlives client_: delivery reports write here
    Client client_;
    std::string topic_name_;
};

}  // namespace kpipe::kafka
