#include "pipeline/group_progress.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/output_producer.hpp"

namespace kpipe::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kIgnoredBatchSize = 2000;

}  // namespace

void drain(kafka::Producer& producer) {
    while (!producer.flush(std::chrono::milliseconds(200))) {
    }
}

std::string undeliverable(const kafka::Producer& producer, const std::string& where) {
    return "cannot deliver records for input " + where + " (" + producer.counts().first_failure +
           "); its offset and later ones were not committed, so a rerun "
           "processes them again";
}

Status GroupProgress::connect(const config::ClientSettings& settings, const std::string& group,
                              std::chrono::milliseconds timeout,
                              kafka::DeliveryListener* listener) {
    auto producer = connect_output_producer(settings, timeout, listener);
    if (!producer) return producer.error();
    producer_.emplace(std::move(*producer));
    auto consumer = kafka::Consumer::create(settings, group, this);
    if (!consumer) return consumer.error();
    consumer_.emplace(std::move(*consumer));
    return ok();
}

bool GroupProgress::commit(bool sync) {
    if (!flush_outputs()) return false;
    std::vector<kafka::TopicPartition> offsets;
    for (const auto& [partition, next] : tracker_.take_committable()) {
        offsets.push_back({topic_, partition, next});
        uncommitted_[partition] = next;
    }
    if (auto stored = consumer_->store_offsets(offsets); !stored) {
        spdlog::warn("{}", stored.error().message);
    }
    if (!sync || uncommitted_.empty()) return true;
    offsets.clear();
    for (const auto& [partition, next] : uncommitted_) offsets.push_back({topic_, partition, next});
    if (auto committed = consumer_->commit(offsets); !committed) {
        last_commit_error_ = committed.error().message;
        spdlog::info("{}; will retry", last_commit_error_);
        return false;
    }
    uncommitted_.clear();
    return true;
}

bool GroupProgress::caught_up() const {
    if (tracker_.in_flight() > 0) return false;
    const auto assigned = consumer_->assignment();
    if (assigned.empty()) return false;
    for (const auto& partition : assigned) {
        if (!at_end_.contains(partition.partition)) return false;
    }
    return true;
}

void GroupProgress::finish(std::chrono::milliseconds timeout) {
    flush_outputs();
    drain(*producer_);
    // A commit refused because the group is rebalancing (another member leaving too) succeeds
    // once this member has rejoined: keep serving the group until then. Records fetched
    // meanwhile are not processed and their offsets are not stored.
    const auto deadline = Clock::now() + timeout;
    std::vector<kafka::MessagePtr> ignored;
    while (!commit(true) && Clock::now() < deadline) {
        // Retrying at once would only be refused again (and delays the rejoin).
        const auto seen = assignments_;
        while (assignments_ == seen && Clock::now() < deadline) {
            consumer_->poll_batch(ignored, kIgnoredBatchSize, std::chrono::milliseconds(100));
        }
    }
    if (!uncommitted_.empty()) {
        spdlog::warn(
            "{}; the records after the last committed offsets will be processed "
            "again by the next run (at-least-once)",
            last_commit_error_);
    }
    consumer_->close();
}

void GroupProgress::revoking(const std::vector<kafka::TopicPartition>& partitions) {
    // Finish and commit the work on partitions before another member takes them.
    flush_outputs();
    drain(*producer_);
    commit(true);
    std::vector<std::int32_t> numbers;
    for (const auto& partition : partitions) {
        numbers.push_back(partition.partition);
        at_end_.erase(partition.partition);
    }
    tracker_.drop(numbers);
    spdlog::info("rebalance: {} partitions revoked", partitions.size());
}

void GroupProgress::assigned(const std::vector<kafka::TopicPartition>& partitions) {
    ++assignments_;
    spdlog::info("rebalance: {} partitions assigned", partitions.size());
}

}  // namespace kpipe::pipeline
