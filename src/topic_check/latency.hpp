#pragma once
// Latency percentiles of the round trip.

#include <optional>
#include <vector>

#include "topic_check/report.hpp"

namespace kpipe::topic_check {

// Nearest-rank percentile (p in (0, 100]) of `samples`; nullopt when there are none.
std::optional<double> percentile(std::vector<double> samples, double p);

// p50 and p99 of `samples_ms`; nullopt when there are none.
std::optional<LatencySummary> summarize_latency(const std::vector<double>& samples_ms);

}  // namespace kpipe::topic_check
