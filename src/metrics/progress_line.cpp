#include "metrics/progress_line.hpp"

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include "metrics/run_stats.hpp"

namespace kpipe::metrics {

ProgressLine::ProgressLine(std::string label, bool show_lag, int fd,
                           std::chrono::milliseconds interval)
    : label_(std::move(label)),
      show_lag_(show_lag),
      fd_(fd),
      interval_(interval),
      last_time_(std::chrono::steady_clock::now()),
      thread_([this] { run(); }) {}

ProgressLine::~ProgressLine() {
    clear();
}

bool ProgressLine::wanted(int fd, bool quiet) {
    return !quiet && ::isatty(fd) == 1;
}

void ProgressLine::run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) draw();
}

void ProgressLine::draw() {
    const auto& stats = run_stats();
    // Producers count what they send, loops that read count what they read.
    const auto count = std::max(stats.records_in.value(), stats.records_out.value());
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_time_).count();
    const double rate = seconds > 0 ? (count - last_count_) / seconds : 0;
    last_count_ = count;
    last_time_ = now;
    std::string line = fmt::format("\r{}: {} records, {:.0f} records/s", label_, count, rate);
    if (stats.records_dead_lettered.value() > 0) {
        line += fmt::format(", {} dead-lettered", stats.records_dead_lettered.value());
    }
    if (show_lag_) {
        if (const auto lag = stats.kafka.total_consumer_lag(); lag >= 0) {
            line += fmt::format(", lag {}", lag);
        }
    }
    // Erase what a longer earlier line left; an idle run does not repaint the terminal.
    line += "\x1b[K";
    if (line == last_line_) return;
    drawn_ = ::write(fd_, line.data(), line.size()) > 0 || drawn_;
    last_line_ = std::move(line);
}

void ProgressLine::clear() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (drawn_) {
        constexpr std::string_view erase = "\r\x1b[K";
        [[maybe_unused]] auto written = ::write(fd_, erase.data(), erase.size());
    }
}

}  // namespace kpipe::metrics
