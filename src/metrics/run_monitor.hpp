#pragma once
// What watches a long run: the --metrics endpoint and the progress line, both reading
// run_stats(). Started by a subcommand before its loop, finished before its summary.

#include <memory>
#include <optional>
#include <string>

#include "common/expected.hpp"
#include "metrics/endpoint.hpp"
#include "metrics/progress_line.hpp"

namespace kpipe::metrics {

struct MonitorOptions {
    std::string subcommand;
    bool group_consumer = false;        // ready only once partitions are assigned
    std::optional<std::string> listen;  // --metrics HOST:PORT
    bool progress = false;              // draw a progress line on stderr (a terminal)
    bool progress_lag = false;          // ... with the consumer lag
};

class RunMonitor {
  public:
    static Expected<std::unique_ptr<RunMonitor>> start(const MonitorOptions& options);
    // Erases the progress line; the endpoint keeps serving until destruction.
    void finish();

  private:
    std::unique_ptr<MetricsEndpoint> endpoint_;
    std::unique_ptr<ProgressLine> progress_;
};

}  // namespace kpipe::metrics
