#pragma once
// A live "records, rate, lag" line on stderr for long runs at a terminal, redrawn in place
// with \r a few times per second from the run's counters (metrics::run_stats()), and
// cleared before the run prints its summary.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace kpipe::metrics {

class ProgressLine {
  public:
    // `label` e.g. "kpipe produce"; `show_lag` for consumers.
    ProgressLine(std::string label, bool show_lag, int fd,
                 std::chrono::milliseconds interval = std::chrono::milliseconds(250));
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    // Stops redrawing and erases the line.
    void clear();

    // Whether a progress line belongs on `fd`: a terminal, and not -q.
    static bool wanted(int fd, bool quiet);

  private:
    void run();
    void draw();

    std::string label_;
    bool show_lag_;
    int fd_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool drawn_ = false;
    std::string last_line_;
    std::uint64_t last_count_ = 0;
    std::chrono::steady_clock::time_point last_time_;
    std::thread thread_;
};

}  // namespace kpipe::metrics
