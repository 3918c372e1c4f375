#include "broker/fault_schedule.hpp"

#include <algorithm>

namespace kpipe::broker {

void FaultSchedule::add(Fault fault, Clock::time_point now) {
    const auto first = now + fault.at;
    entries_.push_back(Entry{std::move(fault), first, std::nullopt, 0});
}

std::vector<FaultFiring> FaultSchedule::take_due(Clock::time_point now) {
    std::vector<FaultFiring> due;
    for (auto& entry : entries_) {
        while (true) {
            const bool fire = entry.next_fire && *entry.next_fire <= now;
            const bool undo = entry.next_undo && *entry.next_undo <= now;
            if (!fire && !undo) break;
            // An undo that is due no later than the next firing comes first.
            if (undo && (!fire || *entry.next_undo <= *entry.next_fire)) {
                due.push_back(FaultFiring{entry.fault, true, entry.round, *entry.next_undo});
                entry.next_undo.reset();
                continue;
            }
            const auto when = *entry.next_fire;
            ++entry.round;
            due.push_back(FaultFiring{entry.fault, false, entry.round, when});
            if (entry.fault.duration) entry.next_undo = when + *entry.fault.duration;
            if (entry.fault.every) {
                entry.next_fire = when + *entry.fault.every;
            } else {
                entry.next_fire.reset();
            }
        }
    }
    std::erase_if(entries_,
                  [](const Entry& entry) { return !entry.next_fire && !entry.next_undo; });
    std::stable_sort(due.begin(), due.end(),
                     [](const FaultFiring& a, const FaultFiring& b) { return a.when < b.when; });
    return due;
}

}  // namespace kpipe::broker
