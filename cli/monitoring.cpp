#include "monitoring.hpp"

#include <unistd.h>

namespace kpipe::cli {

Expected<std::unique_ptr<metrics::RunMonitor>> start_monitor(const GlobalOptions& globals,
                                                             const MonitorRequest& request) {
    metrics::MonitorOptions options;
    options.subcommand = request.subcommand;
    options.group_consumer = request.group_consumer;
    options.listen = globals.metrics;
    options.progress =
        request.progress && metrics::ProgressLine::wanted(STDERR_FILENO, globals.quiet);
    options.progress_lag = request.lag;
    return metrics::RunMonitor::start(options);
}

}  // namespace kpipe::cli
