#include "topic_check/latency.hpp"

#include <algorithm>
#include <cmath>

namespace kpipe::topic_check {

std::optional<double> percentile(std::vector<double> samples, double p) {
    if (samples.empty()) return std::nullopt;
    std::sort(samples.begin(), samples.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * samples.size()));
    return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

std::optional<LatencySummary> summarize_latency(const std::vector<double>& samples_ms) {
    if (samples_ms.empty()) return std::nullopt;
    return LatencySummary{*percentile(samples_ms, 50), *percentile(samples_ms, 99),
                          samples_ms.size()};
}

}  // namespace kpipe::topic_check
