#pragma once
// A producer that tracks every record's delivery report, so kpipe can say exactly how many
// records the broker acknowledged and why the others failed.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/client.hpp"
#include "kafka/topic_partition.hpp"
#include "record/record.hpp"

namespace kpipe::kafka {

struct DeliveryCounts {
    std::uint64_t sent = 0;          // handed to librdkafka
    std::uint64_t acknowledged = 0;  // confirmed by the broker
    std::uint64_t failed = 0;        // definitively failed
    std::string first_failure;       // the reason of the first failure
};

// Told the fate of each record sent with a tag, on the thread that polls the producer.
class DeliveryListener {
  public:
    virtual ~DeliveryListener() = default;
    // `error` is nullptr when the broker acknowledged the record.
    virtual void delivered(void* tag, const char* error) = 0;
};

class Producer {
  public:
    // `listener` (optional, not owned) must outlive the producer.
    static Expected<Producer> create(const config::ClientSettings& settings,
                                     DeliveryListener* listener = nullptr);

    // Queues one record; waits (serving delivery reports) while librdkafka's queue is full.
    // The record's topic, partition (-1: partitioner), key, value, headers and timestamp
    // (-1: now) are used; offset is ignored. Fails only for a record librdkafka refuses outright.
    // `tag` is handed to the listener with the record's delivery report.
    Status send(const record::RecordView& record, void* tag = nullptr);

    // Serves delivery reports without blocking.
    void poll() { rd_kafka_poll(client_.handle(), 0); }

    // Waits up to `timeout` for every queued record's report; false if some are still pending.
    bool flush(std::chrono::milliseconds timeout);

    // Transactions (with transactional.id set). Errors say whether the transaction can be
    // aborted and retried (`abortable`) or the producer is finished (fenced or fatal).
    struct TransactionError {
        std::string message;
        bool abortable = false;
    };
    std::optional<TransactionError> init_transactions(std::chrono::milliseconds timeout);
    std::optional<TransactionError> begin_transaction();
    // Commits `next_offsets` for the consumer's group as part of the open transaction.
    std::optional<TransactionError> send_offsets_to_transaction(
        const std::vector<TopicPartition>& next_offsets,
        const rd_kafka_consumer_group_metadata_t& group, std::chrono::milliseconds timeout);
    std::optional<TransactionError> commit_transaction(std::chrono::milliseconds timeout);
    std::optional<TransactionError> abort_transaction(std::chrono::milliseconds timeout);

    const DeliveryCounts& counts() const { return state_->counts; }
    std::uint64_t pending() const {
        return state_->counts.sent - state_->counts.acknowledged - state_->counts.failed;
    }
    Client& client() { return client_; }

    struct DeliveryState {
        DeliveryCounts counts;
        DeliveryListener* listener = nullptr;
    };

  private:
    Producer(Client client, std::unique_ptr<DeliveryState> state);

    std::unique_ptr<DeliveryState> state_;  // outlives client_: delivery reports write here
    Client client_;
    // Topic handles by name, destroyed before client_: producing by handle spares librdkafka
    // a topic lookup (lock, search, reference count) per record.
    std::vector<std::pair<std::string, TopicPtr>> topics_;
    rd_kafka_topic_t* topic_handle(std::string_view name);
};

}  // namespace kpipe::kafka
