#pragma once
// When each --fault (and each fault given on the control channel) fires: first at its at= delay,
// again every every=, and undone for= later (a broker that went down comes back up, an added
// round-trip time goes back to 0).

#include <chrono>
#include <optional>
#include <vector>

#include "broker/fault_spec.hpp"

namespace kpipe::broker {

// One thing to do now.
struct FaultFiring {
    Fault fault;
    bool undo = false;  // true: end the for= period of `fault`
    int round = 1;      // 1 for the first firing, 2 for the next (every=), ...
    std::chrono::steady_clock::time_point when{};
};

class FaultSchedule {
  public:
    using Clock = std::chrono::steady_clock;

    // Schedules `fault` relative to `now`.
    void add(Fault fault, Clock::time_point now);

    // Everything due at `now`, earliest first, removed from the schedule (a repeating fault is
    // rescheduled).
    std::vector<FaultFiring> take_due(Clock::time_point now);

    bool empty() const { return entries_.empty(); }

  private:
    struct Entry {
        Fault fault;
        std::optional<Clock::time_point> next_fire;
        std::optional<Clock::time_point> next_undo;
        int round = 0;
    };
    std::vector<Entry> entries_;
};

}  // namespace kpipe::broker
