#pragma once
// The one set of counters a run keeps: the metrics endpoint and the progress line both read
// it, the loops write it (relaxed atomics only). One run per process, so it is process-wide.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "metrics/rdkafka_statistics.hpp"
#include "metrics/registry.hpp"

namespace kpipe::metrics {

enum class ErrorKind { delivery, consume, input, output, kafka };

class RunStats {
  public:
    // Names the run (the subcommand label) and says whether readiness needs an assignment.
    void start(std::string subcommand, bool group_consumer);

    Counter records_in;
    Counter records_out;
    Counter records_filtered;
    Counter records_dead_lettered;
    Counter rebalances;
    Gauge assigned_partitions;
    Histogram produce_latency;     // send -> delivery report
    Histogram end_to_end_latency;  // now - record timestamp, at output
    StatisticsStore kafka;

    void error(ErrorKind kind) { errors_[static_cast<int>(kind)].add(); }
    // An output record whose input has the timestamp `timestamp_ms` (ms since the epoch).
    void observe_end_to_end(std::int64_t timestamp_ms);

    void set_connected() { connected_.store(true, std::memory_order_relaxed); }
    bool ready() const;
    // The loop calls this as it goes; healthy means it did so recently, or that it is blocked
    // reading input that has not come yet (stdin from an idle upstream is not a stall).
    void beat() {
        heartbeat_.store(now_ms(), std::memory_order_relaxed);
        waiting_for_input_.store(false, std::memory_order_relaxed);
    }
    void waiting_for_input() { waiting_for_input_.store(true, std::memory_order_relaxed); }
    bool healthy() const;

    const std::string& subcommand() const { return subcommand_; }
    bool group_consumer() const { return group_consumer_; }
    std::string render() const;

  private:
    static std::int64_t now_ms();

    std::string subcommand_ = "kpipe";
    bool group_consumer_ = false;
    std::atomic<bool> connected_{false};
    std::atomic<std::int64_t> heartbeat_{now_ms()};
    std::atomic<bool> waiting_for_input_{false};
    Counter errors_[5];
};

RunStats& run_stats();

// Routes librdkafka's statistics and delivery latencies of every client into run_stats();
// statistics every `statistics_interval_ms` unless -X statistics.interval.ms says otherwise.
void observe_kafka_clients(int statistics_interval_ms);

}  // namespace kpipe::metrics
