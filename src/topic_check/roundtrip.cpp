#include "topic_check/roundtrip.hpp"

#include <spdlog/fmt/fmt.h>

#include <charconv>
#include <random>

#include "kafka/producer.hpp"
#include "topic_check/latency.hpp"
#include "topic_check/partition_reader.hpp"

namespace kpipe::topic_check {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t max_problems = 5;

double milliseconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string new_run_id() {
    std::random_device random;
    std::uniform_int_distribution<std::uint64_t> bits;
    return fmt::format("{:016x}", bits(random) ^ static_cast<std::uint64_t>(
                                                     Clock::now().time_since_epoch().count()));
}

struct Canary {
    std::int32_t partition = 0;
    Clock::time_point sent{};
    std::optional<Clock::time_point> acknowledged{};
    std::string failure{};  // the delivery error, when the broker refused it
    int received = 0;
};

// Records each canary's delivery report time; tags are sequence numbers + 1.
class AckClock : public kafka::DeliveryListener {
  public:
    explicit AckClock(std::vector<Canary>& canaries) : canaries_(canaries) {}
    void delivered(void* tag, const char* error) override {
        auto& canary = canaries_[reinterpret_cast<std::uintptr_t>(tag) - 1];
        if (error != nullptr) {
            canary.failure = error;
        } else {
            canary.acknowledged = Clock::now();
        }
    }

  private:
    std::vector<Canary>& canaries_;
};

// The sequence number of a canary of this run, from its header; nullopt for other records.
std::optional<std::uint64_t> canary_seq(const record::RecordView& record,
                                        const std::string& prefix) {
    for (const auto& header : record.headers) {
        if (header.name != canary_header || !header.value || !header.value->starts_with(prefix)) {
            continue;
        }
        const auto digits = header.value->substr(prefix.size());
        std::uint64_t seq = 0;
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
        if (error == std::errc{} && end == digits.data() + digits.size()) return seq;
    }
    return std::nullopt;
}

}  // namespace

std::string canary_value(const std::string& run_id, std::uint64_t seq) {
    return fmt::format(R"({{"kpipe_canary":"{}","seq":{}}})", run_id, seq);
}

RoundtripReport run_roundtrip(const config::ClientSettings& settings, const std::string& topic,
                              const std::vector<kafka::TopicPartition>& starts, int per_partition,
                              const Deadline& deadline) {
    RoundtripReport report;
    report.records_per_partition = per_partition;
    for (const auto& start : starts) report.partitions.push_back(start.partition);
    auto consumer = assigned_consumer(settings, topic, starts);
    if (!consumer) {
        report.error = consumer.error().message;
        return report;
    }
    std::vector<Canary> canaries;
    AckClock ack_clock(canaries);
    const auto delivery_timeout = std::max<std::int64_t>(deadline.remaining().count(), 1000);
    auto producer = kafka::Producer::create(
        with_defaults(settings, {{"linger.ms", "0"},
                                 {"message.timeout.ms", std::to_string(delivery_timeout)}}),
        &ack_clock);
    if (!producer) {
        report.error = producer.error().message;
        return report;
    }

    const std::string run_id = new_run_id();
    const std::string prefix = run_id + ":";
    canaries.reserve(starts.size() * static_cast<std::size_t>(per_partition));
    for (const auto& start : starts) {
        for (int i = 0; i < per_partition; ++i) canaries.push_back({start.partition});
    }
    for (std::uint64_t seq = 0; seq < canaries.size(); ++seq) {
        const std::string value = canary_value(run_id, seq);
        const std::string tag = prefix + std::to_string(seq);
        const record::HeaderView headers[] = {{canary_header, tag}};
        record::RecordView record;
        record.topic = topic;
        record.partition = canaries[seq].partition;
        record.value = value;
        record.headers = headers;
        canaries[seq].sent = Clock::now();
        if (auto sent = producer->send(record, reinterpret_cast<void*>(seq + 1)); !sent) {
            canaries[seq].failure = sent.error().message;
            continue;
        }
        ++report.sent;
    }

    std::vector<double> ack_ms;
    std::vector<double> round_trip_ms;
    std::vector<kafka::MessagePtr> batch;
    std::vector<record::HeaderView> headers;
    const auto note = [&report](std::string problem) {
        if (report.problems.size() < max_problems) report.problems.push_back(std::move(problem));
    };
    const auto settled = [&canaries] {
        for (const auto& canary : canaries) {
            if (canary.received == 0 && canary.failure.empty()) return false;
        }
        return true;
    };
    // After the last canary came back, keep reading briefly so a duplicate shows up.
    std::optional<Clock::time_point> drain_until;
    while (!deadline.passed() && (!drain_until || Clock::now() < *drain_until)) {
        producer->poll();
        consumer->poll_batch(batch, 1000, deadline.at_most(std::chrono::milliseconds(5)));
        const auto now = Clock::now();
        for (const auto& message : batch) {
            if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
            const auto record = kafka::view_of(*message, headers);
            const auto seq = canary_seq(record, prefix);
            if (!seq) continue;
            if (*seq >= canaries.size()) {
                ++report.altered;
                note(fmt::format("partition {} offset {}: unknown canary sequence {}",
                                 record.partition, record.offset, *seq));
                continue;
            }
            auto& canary = canaries[*seq];
            if (++canary.received > 1) {
                ++report.duplicated;
                note(fmt::format("partition {} seq {}: read {} times (offset {})", canary.partition,
                                 *seq, canary.received, record.offset));
                continue;
            }
            round_trip_ms.push_back(milliseconds_between(canary.sent, now));
            if (record.partition != canary.partition ||
                record.value != canary_value(run_id, *seq)) {
                ++report.altered;
                note(fmt::format("partition {} offset {}: canary {} altered", record.partition,
                                 record.offset, *seq));
            }
        }
        if (!drain_until && settled() && producer->pending() == 0) {
            drain_until = Clock::now() + std::chrono::milliseconds(100);
        }
    }
    producer->poll();
    for (std::uint64_t seq = 0; seq < canaries.size(); ++seq) {
        const auto& canary = canaries[seq];
        if (canary.acknowledged) {
            ++report.acknowledged;
            ack_ms.push_back(milliseconds_between(canary.sent, *canary.acknowledged));
        }
        if (canary.received > 0) {
            ++report.received;
            continue;
        }
        ++report.lost;
        note(fmt::format("partition {} seq {}: {}", canary.partition, seq,
                         canary.failure.empty() ? "not read back in time"
                                                : "not acknowledged (" + canary.failure + ")"));
    }
    report.produce_ack = summarize_latency(ack_ms);
    report.round_trip = summarize_latency(round_trip_ms);
    return report;
}

std::vector<CheckResult> roundtrip_checks(const RoundtripReport& report,
                                          std::optional<double> max_latency_ms) {
    std::vector<CheckResult> results;
    if (!report.error.empty()) {
        results.push_back({"roundtrip", CheckStatus::fail, report.error});
        results.push_back(
            {"latency", CheckStatus::skipped, "the round trip could not run (see roundtrip)"});
        return results;
    }
    const auto total = report.records_per_partition * report.partitions.size();
    const auto latencies = [&report] {
        std::string text;
        if (report.produce_ack) {
            text += fmt::format("produce-ack p50 {:.1f} ms p99 {:.1f} ms",
                                report.produce_ack->p50_ms, report.produce_ack->p99_ms);
        }
        if (report.round_trip) {
            text +=
                fmt::format("{}round trip p50 {:.1f} ms p99 {:.1f} ms", text.empty() ? "" : ", ",
                            report.round_trip->p50_ms, report.round_trip->p99_ms);
        }
        return text;
    }();
    if (report.lost == 0 && report.duplicated == 0 && report.altered == 0) {
        results.push_back({"roundtrip", CheckStatus::pass,
                           fmt::format("{} canaries ({} per partition) came back intact; {}", total,
                                       report.records_per_partition, latencies)});
    } else {
        results.push_back(
            {"roundtrip", CheckStatus::fail,
             fmt::format("{} of {} lost, {} duplicated, {} altered: {}", report.lost, total,
                         report.duplicated, report.altered, fmt::join(report.problems, "; "))});
    }
    if (!report.round_trip) {
        results.push_back({"latency", CheckStatus::skipped, "no canary came back to time"});
    } else if (!max_latency_ms) {
        results.push_back(
            {"latency", CheckStatus::skipped, "no --max-latency bound; " + latencies});
    } else if (report.round_trip->p99_ms > *max_latency_ms) {
        results.push_back({"latency", CheckStatus::fail,
                           fmt::format("round-trip p99 {:.1f} ms exceeds --max-latency {:g} ms",
                                       report.round_trip->p99_ms, *max_latency_ms)});
    } else {
        results.push_back({"latency", CheckStatus::pass,
                           fmt::format("round-trip p99 {:.1f} ms within {:g} ms",
                                       report.round_trip->p99_ms, *max_latency_ms)});
    }
    return results;
}

}  // namespace kpipe::topic_check
