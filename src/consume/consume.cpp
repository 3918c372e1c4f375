#include "consume/consume.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/signals.hpp"
#include "io/output_writer.hpp"
#include "kafka/consumer.hpp"
#include "metrics/run_stats.hpp"
#include "record/envelope.hpp"

namespace kpipe::consume {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = OffsetSpec::Kind;

constexpr std::size_t kBatchSize = 2000;

bool is_fatal(rd_kafka_resp_err_t error) {
    switch (error) {
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR__FATAL:
            return true;
        default:
            return false;
    }
}

// A group member reads what the group assigns it; anything that names partitions or
// positions reads by assignment (still committing when a group is given).
bool uses_subscription(const ConsumeOptions& options) {
    if (!options.group || !options.partitions.empty()) return false;
    const auto kind = options.offset ? options.offset->kind : Kind::stored;
    return kind == Kind::stored || kind == Kind::beginning || kind == Kind::end;
}

std::int64_t start_offset(const OffsetSpec& spec) {
    switch (spec.kind) {
        case Kind::beginning:
            return RD_KAFKA_OFFSET_BEGINNING;
        case Kind::end:
            return RD_KAFKA_OFFSET_END;
        case Kind::stored:
            return RD_KAFKA_OFFSET_STORED;
        case Kind::absolute:
            return spec.value;
        case Kind::from_end:
            return RD_KAFKA_OFFSET_TAIL(spec.value);
        case Kind::timestamp:
            return spec.value;  // replaced by resolve_timestamps
    }
    return RD_KAFKA_OFFSET_BEGINNING;
}

Expected<std::vector<kafka::TopicPartition>> assigned_partitions(const ConsumeOptions& options,
                                                                 kafka::Consumer& consumer) {
    auto all = consumer.partitions_of(options.topics, options.timeout);
    if (!all) return all.error();
    std::vector<kafka::TopicPartition> chosen;
    for (const auto& partition : *all) {
        if (options.partitions.empty() ||
            std::ranges::find(options.partitions, partition.partition) !=
                options.partitions.end()) {
            chosen.push_back(partition);
        }
    }
    for (auto wanted : options.partitions) {
        if (std::ranges::none_of(chosen, [&](const auto& p) { return p.partition == wanted; })) {
            return usage_error("partition " + std::to_string(wanted) + " does not exist in " +
                               options.topics.front());
        }
    }
    const OffsetSpec spec = options.offset.value_or(OffsetSpec{Kind::beginning});
    for (auto& partition : chosen) partition.offset = start_offset(spec);
    if (spec.kind == Kind::timestamp) {
        if (auto resolved = consumer.resolve_timestamps(chosen, options.timeout); !resolved) {
            return resolved.error();
        }
    }
    return chosen;
}

// s@MS where the broker found no offset: either no record is that recent, or the broker cannot
// look offsets up by time (the embedded broker). Reading from the beginning and skipping
// earlier records gives the right answer in both cases.
class TimestampSkipper {
  public:
    TimestampSkipper(std::vector<kafka::TopicPartition>& partitions, const OffsetSpec& spec) {
        if (spec.kind != Kind::timestamp) return;
        for (auto& partition : partitions) {
            if (partition.offset != RD_KAFKA_OFFSET_END) continue;
            partition.offset = RD_KAFKA_OFFSET_BEGINNING;
            pending_.push_back({partition.topic, partition.partition});
        }
        timestamp_ms_ = spec.value;
    }

    // True for a record before the start: one of a partition still looking for it.
    bool skip(const rd_kafka_message_t& message) {
        if (pending_.empty()) return false;
        const std::string_view topic = rd_kafka_topic_name(message.rkt);
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->partition != message.partition || it->topic != topic) continue;
            if (rd_kafka_message_timestamp(&message, nullptr) < timestamp_ms_) return true;
            pending_.erase(it);
            return false;
        }
        return false;
    }

  private:
    std::vector<kafka::TopicPartition> pending_;
    std::int64_t timestamp_ms_ = 0;
};

// Tracks which assigned partitions have been read to their end, for -e.
class EndTracker {
  public:
    void reached_end(const rd_kafka_message_t& event) {
        at_end_.insert({event.rkt, event.partition});
    }
    void read(const rd_kafka_message_t& message) {
        if (!at_end_.empty()) at_end_.erase({message.rkt, message.partition});
    }
    bool all_at_end(const kafka::Consumer& consumer) const {
        if (at_end_.empty()) return false;
        const auto assigned = consumer.assignment();
        return !assigned.empty() && at_end_.size() >= assigned.size();
    }

  private:
    std::set<std::pair<const void*, std::int32_t>> at_end_;
};

}  // namespace

Expected<ConsumeSummary> run_consume(const ConsumeOptions& options,
                                     const config::ClientSettings& settings) {
    const auto started = Clock::now();
    if (!options.group && options.offset && options.offset->kind == Kind::stored) {
        return usage_error("--offset stored needs a consumer group (-g GROUP)");
    }
    config::ClientSettings effective = settings;
    if (uses_subscription(options) && options.offset && options.offset->kind == Kind::end) {
        // Without a committed offset, a new group starts where -o says.
        effective.properties.insert(effective.properties.begin(), {"auto.offset.reset", "latest"});
    }
    auto consumer = kafka::Consumer::create(effective, options.group);
    if (!consumer) return consumer.error();
    if (auto reachable = consumer->client().wait_until_reachable(options.timeout); !reachable) {
        return reachable.error();
    }
    if (uses_subscription(options)) {
        if (auto subscribed = consumer->subscribe(options.topics); !subscribed) {
            return subscribed.error();
        }
    }
    std::optional<TimestampSkipper> skipper;
    if (!uses_subscription(options)) {
        auto partitions = assigned_partitions(options, *consumer);
        if (!partitions) return partitions.error();
        skipper.emplace(*partitions, options.offset.value_or(OffsetSpec{Kind::beginning}));
        if (auto assigned = consumer->assign(*partitions); !assigned) return assigned.error();
    }

    auto& stats = metrics::run_stats();
    stats.set_connected();
    ConsumeSummary summary;
    io::OutputWriter output(STDOUT_FILENO);
    record::EnvelopeEncoder encoder;
    std::vector<record::HeaderView> headers;
    std::vector<kafka::MessagePtr> batch;
    EndTracker ends;
    std::optional<Error> failure;
    bool done = options.count && *options.count == 0;
    auto last_activity = Clock::now();
    while (!done && !stop_requested()) {
        consumer->poll_batch(batch, kBatchSize, std::chrono::milliseconds(100));
        stats.beat();
        if (!batch.empty()) {
            last_activity = Clock::now();
        } else if (Clock::now() - last_activity > options.timeout) {
            // Quiet for a while: tell an idle topic from a cluster that went away.
            if (consumer->client().lost_brokers(options.timeout)) {
                failure = Error{consumer->client().unreachable_message(options.timeout)};
                break;
            }
            last_activity = Clock::now();
        }
        std::size_t handled = 0;  // messages of this batch fully written
        for (; handled < batch.size() && !done; ++handled) {
            const auto& message = *batch[handled];
            if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                ends.reached_end(message);
                continue;
            }
            if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                const std::string reason = rd_kafka_message_errstr(&message);
                if (is_fatal(message.err)) {
                    failure = Error{"cannot consume: " + reason};
                    done = true;
                    break;
                }
                kafka::log_consumer_error(message);
                stats.error(metrics::ErrorKind::consume);
                continue;
            }
            ends.read(message);
            if (skipper && skipper->skip(message)) continue;
            stats.records_in.add();
            if (options.envelope) {
                encoder.encode(kafka::view_of(message, headers), output.buffer());
            } else if (message.payload != nullptr) {
                output.buffer().append(static_cast<const char*>(message.payload), message.len);
            }
            output.write("\n");
            ++summary.records;
            stats.records_out.add();
            stats.observe_end_to_end(rd_kafka_message_timestamp(&message, nullptr));
            done = options.count && summary.records >= *options.count;
        }
        // Commit only what the reader has received.
        if (!output.flush()) break;
        if (auto stored = consumer->store_offsets(std::span(batch.data(), handled)); !stored) {
            failure = stored.error();
            break;
        }
        if (options.exit_at_end && ends.all_at_end(*consumer)) done = true;
        stats.assigned_partitions.set(static_cast<std::int64_t>(consumer->assignment().size()));
    }
    summary.output_closed = output.closed_pipe();
    batch.clear();
    if (!output.flush() && !output.closed_pipe()) failure = Error{output.error()};
    if (auto committed = consumer->commit(); !committed && !failure) failure = committed.error();
    consumer->close();
    summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (failure) return *failure;
    return summary;
}

}  // namespace kpipe::consume
