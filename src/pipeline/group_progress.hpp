#pragma once
// The input side of an at-least-once consume -> produce loop over a consumer group, shared by
// `kpipe transform` and `kpipe replay-dlq`: delivery reports move input offsets towards commit,
// only offsets whose work is acknowledged are committed, a rebalance commits finished work
// first, and the final commit is retried while the group settles.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"
#include "pipeline/offset_tracker.hpp"

namespace kpipe::pipeline {

// Delivery reports move the input offsets they cover towards commit.
class TrackingListener : public kafka::DeliveryListener {
  public:
    explicit TrackingListener(OffsetTracker& tracker) : tracker_(tracker) {}
    void delivered(void* tag, const char* error) override {
        if (error != nullptr && first_error_.empty()) first_error_ = error;
        if (tag != nullptr) tracker_.delivered(*static_cast<OffsetTracker::Slot*>(tag), error);
    }
    const std::string& first_error() const { return first_error_; }

  private:
    OffsetTracker& tracker_;
    std::string first_error_;
};

// Waits for every delivery report (librdkafka's message timeout bounds the wait).
void drain(kafka::Producer& producer);

// The error line for a record that could not be delivered, `where` naming its input.
std::string undeliverable(const kafka::Producer& producer, const std::string& where);

class GroupProgress : public kafka::RebalanceListener {
  public:
    // `flush_outputs` (optional) writes out buffered outputs; offsets are committed only when it
    // succeeds (records on stdout count as done once they left the buffer).
    GroupProgress(std::string topic, OffsetTracker& tracker,
                  std::function<bool()> flush_outputs = {})
        : topic_(std::move(topic)), tracker_(tracker), flush_outputs_(std::move(flush_outputs)) {}

    // Connects the loop's producer (its delivery reports go to `listener`) and its consumer in
    // `group`, with this as the rebalance listener.
    Status connect(const config::ClientSettings& settings, const std::string& group,
                   std::chrono::milliseconds timeout, kafka::DeliveryListener* listener);
    kafka::Producer& producer() { return *producer_; }
    kafka::Consumer& consumer() { return *consumer_; }

    // Stores (and with `sync`, commits) the offsets whose work is complete. Offsets whose
    // commit failed (a group rebalancing) are kept and committed with the next attempt: an
    // offset is only ever committed once every record before it is done, so a late commit can
    // cause reprocessing, never loss. Returns whether everything done is committed.
    bool commit(bool sync);

    // End-of-partition bookkeeping for "exit once caught up".
    void reached_end(std::int32_t partition) { at_end_.insert(partition); }
    void left_end(std::int32_t partition) { at_end_.erase(partition); }
    // Every assigned partition is at its end and nothing is in flight.
    bool caught_up() const;

    // Drains the producer, commits (waiting up to `timeout` for the group to accept it) and
    // leaves the group.
    void finish(std::chrono::milliseconds timeout);

    void revoking(const std::vector<kafka::TopicPartition>& partitions) override;
    void assigned(const std::vector<kafka::TopicPartition>& partitions) override;

  private:
    bool flush_outputs() { return !flush_outputs_ || flush_outputs_(); }

    std::string topic_;
    OffsetTracker& tracker_;
    std::function<bool()> flush_outputs_;
    std::optional<kafka::Producer> producer_;
    std::optional<kafka::Consumer> consumer_;  // after producer_: closed first
    std::set<std::int32_t> at_end_;
    std::map<std::int32_t, std::int64_t> uncommitted_;  // done, commit not yet confirmed
    std::string last_commit_error_;
    std::uint64_t assignments_ = 0;  // rebalances that gave this member partitions
};

}  // namespace kpipe::pipeline
