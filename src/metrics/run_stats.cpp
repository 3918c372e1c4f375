#include "metrics/run_stats.hpp"

#include <spdlog/spdlog.h>

#include "kafka/client.hpp"

namespace kpipe::metrics {
namespace {

constexpr std::int64_t kHealthyBeatAgeMs = 60'000;
constexpr const char* kErrorKinds[] = {"delivery", "consume", "input", "output", "kafka"};

class KafkaObserver : public kafka::ClientObserver {
  public:
    void statistics(std::string_view json) override {
        auto parsed = parse_statistics(json);
        if (!parsed) {
            spdlog::debug("{}", parsed.error().message);
            return;
        }
        run_stats().kafka.update(std::move(*parsed));
    }
    void delivered(std::int64_t latency_us, bool failed) override {
        if (failed) run_stats().error(ErrorKind::delivery);
        if (latency_us >= 0) run_stats().produce_latency.observe(latency_us / 1e6);
    }
    void error() override { run_stats().error(ErrorKind::kafka); }
    void rebalanced(bool assigned, int partitions) override {
        auto& stats = run_stats();
        if (assigned) stats.rebalances.add();
        stats.assigned_partitions.add(assigned ? partitions : -partitions);
    }
};

}  // namespace

RunStats& run_stats() {
    static RunStats stats;
    return stats;
}

void observe_kafka_clients(int statistics_interval_ms) {
    static KafkaObserver observer;
    kafka::set_client_observer(&observer, statistics_interval_ms);
}

void RunStats::start(std::string subcommand, bool group_consumer) {
    subcommand_ = std::move(subcommand);
    group_consumer_ = group_consumer;
    beat();
}

std::int64_t RunStats::now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void RunStats::observe_end_to_end(std::int64_t timestamp_ms) {
    if (timestamp_ms <= 0) return;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    end_to_end_latency.observe((now - timestamp_ms) / 1e3);
}

bool RunStats::ready() const {
    if (!connected_.load(std::memory_order_relaxed)) return false;
    return !group_consumer_ || assigned_partitions.value() > 0;
}

bool RunStats::healthy() const {
    return waiting_for_input_.load(std::memory_order_relaxed) ||
           now_ms() - heartbeat_.load(std::memory_order_relaxed) < kHealthyBeatAgeMs;
}

std::string RunStats::render() const {
    TextWriter writer;
    const Labels run = {{"subcommand", subcommand_}};
    const auto counter = [&](std::string_view name, std::string_view help, const Counter& value) {
        writer.family(name, "counter", help);
        writer.sample(name, run, static_cast<double>(value.value()));
    };
    counter("kpipe_records_in_total", "Records read (input lines or Kafka records)", records_in);
    counter("kpipe_records_out_total", "Records written (produced or printed)", records_out);
    counter("kpipe_records_filtered_total", "Records the filter dropped", records_filtered);
    counter("kpipe_records_dead_lettered_total", "Records sent to the dead-letter topic or file",
            records_dead_lettered);
    writer.family("kpipe_errors_total", "counter",
                  "Errors by kind: delivery (record not acknowledged), consume (consumer error "
                  "event), input (rejected input line), output (write failure), kafka (client "
                  "error callback)");
    for (std::size_t i = 0; i < std::size(kErrorKinds); ++i) {
        writer.sample("kpipe_errors_total", {{"subcommand", subcommand_}, {"kind", kErrorKinds[i]}},
                      static_cast<double>(errors_[i].value()));
    }
    counter("kpipe_rebalances_total", "Consumer group rebalances that assigned partitions",
            rebalances);
    writer.family("kpipe_assigned_partitions", "gauge", "Partitions assigned to this consumer");
    writer.sample("kpipe_assigned_partitions", run,
                  static_cast<double>(assigned_partitions.value()));
    writer.family("kpipe_ready", "gauge", "1 when connected (and, in a group, assigned)");
    writer.sample("kpipe_ready", run, ready() ? 1 : 0);
    writer.family("kpipe_produce_latency_seconds", "histogram",
                  "Time from handing a record to the producer to its delivery report");
    writer.histogram("kpipe_produce_latency_seconds", run, produce_latency);
    writer.family("kpipe_end_to_end_latency_seconds", "histogram",
                  "Time from a record's timestamp to its output");
    writer.histogram("kpipe_end_to_end_latency_seconds", run, end_to_end_latency);
    kafka.render(writer);
    return writer.text();
}

}  // namespace kpipe::metrics
