#pragma once
// Counters, gauges and histograms cheap enough for the per-record hot path (relaxed atomics,
// no locks), and the Prometheus text exposition format (version 0.0.4) they render to.

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpipe::metrics {

class Counter {
  public:
    void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
  public:
    void set(std::int64_t value) { value_.store(value, std::memory_order_relaxed); }
    void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::int64_t> value_{0};
};

// Latencies in seconds over fixed buckets from 0.5 ms to 60 s.
class Histogram {
  public:
    static constexpr std::array<double, 14> kBounds = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60};
    void observe(double seconds);
    // Cumulative count per bound (the last entry is +Inf), count and sum, as Prometheus wants.
    std::array<std::uint64_t, kBounds.size() + 1> cumulative() const;
    std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    double sum() const { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micros_{0};
};

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// Writes families in the text format: a family's HELP and TYPE once, then its samples.
class TextWriter {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const Labels& labels, double value);
    void histogram(std::string_view name, const Labels& labels, const Histogram& histogram);
    const std::string& text() const { return text_; }

  private:
    std::string text_;
};

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
// Numbers as Prometheus parses them: integers without exponent, NaN/+Inf spelled its way.
std::string format_value(double value);

}  // namespace kpipe::metrics
