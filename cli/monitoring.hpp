#pragma once
// --metrics and the progress line for the long-running subcommands.

#include <memory>
#include <string>

#include "global_options.hpp"
#include "metrics/run_monitor.hpp"

namespace kpipe::cli {

struct MonitorRequest {
    std::string subcommand;
    bool group_consumer = false;  // /readyz waits for partitions
    bool progress = false;        // a long run that deserves a progress line at a terminal
    bool lag = false;             // the progress line shows consumer lag
};

Expected<std::unique_ptr<metrics::RunMonitor>> start_monitor(const GlobalOptions& globals,
                                                             const MonitorRequest& request);

}  // namespace kpipe::cli
