#include "metrics/run_monitor.hpp"

#include <unistd.h>

#include "metrics/run_stats.hpp"

namespace kpipe::metrics {
namespace {

// Statistics feed the kpipe_kafka_* metrics (a scrape interval's worth) and the progress
// line's lag (refreshed more often); -X statistics.interval.ms overrides either.
constexpr int kMetricsStatisticsIntervalMs = 5000;
constexpr int kProgressStatisticsIntervalMs = 1000;

}  // namespace

Expected<std::unique_ptr<RunMonitor>> RunMonitor::start(const MonitorOptions& options) {
    auto monitor = std::make_unique<RunMonitor>();
    run_stats().start(options.subcommand, options.group_consumer);
    if (options.listen) {
        auto address = parse_listen_address(*options.listen);
        if (!address) return address.error();
        auto endpoint = MetricsEndpoint::start(*address);
        if (!endpoint) return endpoint.error();
        monitor->endpoint_ = std::move(*endpoint);
    }
    const bool lag = options.progress && options.progress_lag;
    if (options.listen || lag) {
        observe_kafka_clients(lag ? kProgressStatisticsIntervalMs : kMetricsStatisticsIntervalMs);
    }
    if (options.progress) {
        monitor->progress_ =
            std::make_unique<ProgressLine>("kpipe " + options.subcommand, lag, STDERR_FILENO);
    }
    return monitor;
}

void RunMonitor::finish() {
    if (progress_) progress_->clear();
}

}  // namespace kpipe::metrics
