#pragma once
// The whole topic-check run is bounded by --timeout: every step waits at most what is left.

#include <algorithm>
#include <chrono>

namespace kpipe::topic_check {

class Deadline {
  public:
    explicit Deadline(std::chrono::milliseconds budget)
        : end_(std::chrono::steady_clock::now() + budget) {}

    std::chrono::milliseconds remaining() const {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end_ - std::chrono::steady_clock::now());
        return std::max(left, std::chrono::milliseconds(0));
    }
    // What is left, but no more than `cap` (and at least 1 ms, so librdkafka never blocks).
    std::chrono::milliseconds at_most(std::chrono::milliseconds cap) const {
        return std::clamp(remaining(), std::chrono::milliseconds(1), cap);
    }
    bool passed() const { return remaining().count() == 0; }

  private:
    std::chrono::steady_clock::time_point end_;
};

}  // namespace kpipe::topic_check
