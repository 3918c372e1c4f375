#include "replay/replay_dlq.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <set>
#include <thread>

#include "common/signals.hpp"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"
#include "log/structured_log.hpp"
#include "metrics/run_stats.hpp"
#include "pipeline/group_progress.hpp"
#include "pipeline/offset_tracker.hpp"
#include "replay/dry_run_report.hpp"
#include "replay/replay_plan.hpp"

namespace kpipe::replay {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatchSize = 500;
constexpr auto kStoreInterval = std::chrono::milliseconds(200);
constexpr auto kPollInterval = std::chrono::milliseconds(100);
// Records left in place are each named on stderr up to this many; the summary counts them all.
constexpr std::uint64_t kNamedLeftInPlace = 20;

// Spaces replays at --rate records per second by sleeping, never spinning.
class Pacer {
  public:
    explicit Pacer(std::optional<double> rate) : rate_(rate) {}

    // Returns when the next record may go (or a stop was asked for); `serve` runs at least
    // every kPollInterval while waiting, to keep delivery reports flowing.
    template <class Serve>
    void wait(Serve&& serve) {
        if (!rate_) return;
        const auto now = Clock::now();
        if (sent_ == 0) start_ = now;
        const auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(sent_ / *rate_));
        ++sent_;
        while (!stop_requested()) {
            const auto left = due - Clock::now();
            if (left <= Clock::duration::zero()) return;
            std::this_thread::sleep_for(std::min<Clock::duration>(left, kPollInterval));
            serve();
        }
    }

  private:
    std::optional<double> rate_;
    Clock::time_point start_;
    std::uint64_t sent_ = 0;
};

// Counts a decision other than a replay and names the record on stderr while few have been.
void account(const Decision& decision, const record::RecordView& record, ReplaySummary& summary) {
    switch (decision.fate) {
        case Fate::replay:
            ++summary.replayed;
            return;
        case Fate::skipped:
            ++summary.skipped;
            metrics::run_stats().records_filtered.add();
            return;
        case Fate::filter_error:
            ++summary.skipped;
            ++summary.filter_errors;
            break;
        case Fate::over_limit:
            ++summary.over_limit;
            break;
        case Fate::unroutable:
            ++summary.unroutable;
            break;
    }
    const auto named = summary.filter_errors + summary.over_limit + summary.unroutable;
    if (named <= kNamedLeftInPlace) {
        auto fields = log::record_fields(record.topic, record.partition, record.offset);
        fields.push_back({"error", std::string(decision.reason)});
        log::write(spdlog::level::warn,
                   fmt::format("{} partition {} offset {}: {}; left in place", record.topic,
                               record.partition, record.offset, decision.reason),
                   fields);
    }
    if (named == kNamedLeftInPlace) {
        spdlog::warn("further records left in place are only counted in the summary");
    }
}

std::optional<Error> read_error(const rd_kafka_message_t& message, const std::string& topic) {
    const std::string reason = rd_kafka_message_errstr(&message);
    if (message.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        message.err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        return Error{"cannot read topic '" + topic + "': " + reason};
    }
    kafka::log_consumer_error(message);
    return std::nullopt;
}

// The replay proper: reads the dead-letter topic in its consumer group and commits an offset
// only once every record before it is replayed (acknowledged) or left in place.
class DlqReplay {
  public:
    DlqReplay(const ReplayOptions& options, ReplayPlanner& planner)
        : options_(options),
          planner_(planner),
          listener_(tracker_),
          progress_(options.dlq, tracker_),
          pacer_(options.rate) {}

    Expected<ReplaySummary> run(const config::ClientSettings& settings) {
        // A replay is a batch job: with a shorter session the next run (or a replacement after
        // a crash) takes over sooner. -X and the profile still override it.
        config::ClientSettings with_defaults = settings;
        with_defaults.properties.insert(
            with_defaults.properties.begin(),
            {{"session.timeout.ms", "10000"}, {"heartbeat.interval.ms", "1000"}});
        if (auto connected =
                progress_.connect(with_defaults, options_.group_id(), options_.timeout, &listener_);
            !connected) {
            return connected.error();
        }
        // A missing topic is named up front instead of waiting for an assignment that never
        // comes.
        if (auto partitions = progress_.consumer().partitions_of({options_.dlq}, options_.timeout);
            !partitions) {
            return partitions.error();
        }
        if (auto subscribed = progress_.consumer().subscribe({options_.dlq}); !subscribed) {
            return subscribed.error();
        }
        metrics::run_stats().set_connected();
        auto failure = loop();
        progress_.finish(options_.timeout);
        if (failure) return *failure;
        if (tracker_.has_failure()) {
            return Error{pipeline::undeliverable(progress_.producer(),
                                                 "dead letter at " + *tracker_.failure())};
        }
        return summary_;
    }

  private:
    bool max_reached() const { return options_.max && summary_.replayed >= *options_.max; }

    std::optional<Error> loop() {
        std::vector<kafka::MessagePtr> batch;
        std::vector<record::HeaderView> headers;
        auto last_store = Clock::now();
        while (!stop_requested() && !tracker_.has_failure() && !max_reached()) {
            progress_.consumer().poll_batch(batch, kBatchSize, kPollInterval);
            metrics::run_stats().beat();
            for (const auto& message : batch) {
                if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    progress_.reached_end(message->partition);
                    continue;
                }
                if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    if (auto error = read_error(*message, options_.dlq)) return error;
                    continue;
                }
                progress_.left_end(message->partition);
                if (auto error = handle(kafka::view_of(*message, headers))) return error;
                if (max_reached() || stop_requested()) return std::nullopt;
            }
            progress_.producer().poll();
            if (Clock::now() - last_store >= kStoreInterval) {
                progress_.commit(false);
                last_store = Clock::now();
            }
            if (!options_.follow && progress_.caught_up()) return std::nullopt;
        }
        return std::nullopt;
    }

    std::optional<Error> handle(const record::RecordView& input) {
        ++summary_.read;
        auto& stats = metrics::run_stats();
        stats.records_in.add();
        auto& slot = tracker_.track(input.partition, input.offset);
        const auto& decision = planner_.decide(input);
        account(decision, input, summary_);
        if (decision.fate == Fate::replay) {
            pacer_.wait([this] { progress_.producer().poll(); });
            for (std::size_t i = 0; i < planner_.output_count(); ++i) {
                pipeline::OffsetTracker::add_pending(slot);
                stats.records_out.add();
                stats.observe_end_to_end(input.timestamp_ms);
                if (auto sent = progress_.producer().send(planner_.output(input, i), &slot);
                    !sent) {
                    tracker_.delivered(slot, true);
                    return Error{"cannot replay " + options_.dlq + " partition " +
                                 std::to_string(input.partition) + " offset " +
                                 std::to_string(input.offset) + " to " +
                                 std::string(decision.target) + ": " + sent.error().message};
                }
            }
        }
        // Records left in place are done at once: their offsets may be committed.
        tracker_.seal(slot);
        return std::nullopt;
    }

    const ReplayOptions& options_;
    ReplayPlanner& planner_;
    pipeline::OffsetTracker tracker_;
    pipeline::TrackingListener listener_;
    pipeline::GroupProgress progress_;
    Pacer pacer_;
    ReplaySummary summary_;
};

// The dry run reads by assignment from the group's committed offsets (the beginning where
// there are none), without joining the group, committing or producing anything.
Expected<ReplaySummary> dry_run(const ReplayOptions& options,
                                const config::ClientSettings& settings, ReplayPlanner& planner) {
    config::ClientSettings observer = settings;
    observer.properties.insert(observer.properties.begin(), {"enable.auto.commit", "false"});
    auto consumer = kafka::Consumer::create(observer, options.group_id());
    if (!consumer) return consumer.error();
    auto partitions = consumer->partitions_of({options.dlq}, options.timeout);
    if (!partitions) return partitions.error();
    // No offset given: librdkafka starts from the group's committed offset, else the beginning.
    if (auto assigned = consumer->assign(*partitions); !assigned) return assigned.error();

    ReplaySummary summary;
    DryRunReport report;
    std::set<std::int32_t> at_end;
    std::vector<kafka::MessagePtr> batch;
    std::vector<record::HeaderView> headers;
    auto max_reached = [&] { return options.max && summary.replayed >= *options.max; };
    while (!stop_requested() && !max_reached() && at_end.size() < partitions->size()) {
        consumer->poll_batch(batch, kBatchSize, kPollInterval);
        for (const auto& message : batch) {
            if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                at_end.insert(message->partition);
                continue;
            }
            if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (auto error = read_error(*message, options.dlq)) return *error;
                continue;
            }
            at_end.erase(message->partition);
            const auto input = kafka::view_of(*message, headers);
            ++summary.read;
            const auto& decision = planner.decide(input);
            account(decision, input, summary);
            if (decision.fate == Fate::replay) report.add(decision.target, decision.error_message);
            if (max_reached()) break;
        }
    }
    consumer->close();
    const auto text = report.text();
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return summary;
}

}  // namespace

Expected<ReplaySummary> run_replay_dlq(const ReplayOptions& options,
                                       const config::ClientSettings& settings) {
    const auto started = Clock::now();
    auto planner = ReplayPlanner::create(options);
    if (!planner) return planner.error();
    auto summary = options.dry_run ? dry_run(options, settings, *planner)
                                   : DlqReplay(options, *planner).run(settings);
    if (!summary) return summary;
    summary->seconds = std::chrono::duration<double>(Clock::now() - started).count();
    summary->interrupted = stop_requested();
    return summary;
}

}  // namespace kpipe::replay
