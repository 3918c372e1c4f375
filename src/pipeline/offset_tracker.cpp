#include "pipeline/offset_tracker.hpp"

namespace kpipe::pipeline {

OffsetTracker::Slot& OffsetTracker::track(std::int32_t partition, std::int64_t offset) {
    ++in_flight_;
    auto& slots = partitions_[partition].slots;
    slots.push_back(Slot{partition, offset});
    return slots.back();
}

void OffsetTracker::seal(Slot& slot) {
    slot.sealed = true;
    if (slot.pending == 0) advance(partitions_[slot.partition]);
}

void OffsetTracker::delivered(Slot& slot, bool failed) {
    --slot.pending;
    if (failed) {
        slot.failed = true;
        if (!failure_) {
            failure_ = "partition " + std::to_string(slot.partition) + " offset " +
                       std::to_string(slot.offset);
        }
    }
    if (slot.pending == 0 && slot.sealed) advance(partitions_[slot.partition]);
}

void OffsetTracker::advance(PartitionState& state) {
    // Completed slots leave from the front only, so a commit never skips unfinished work.
    while (!state.slots.empty()) {
        const auto& front = state.slots.front();
        if (!front.sealed || front.pending > 0 || front.failed) break;
        state.committable = front.offset + 1;
        state.slots.pop_front();
        --in_flight_;
    }
}

std::map<std::int32_t, std::int64_t> OffsetTracker::take_committable() {
    std::map<std::int32_t, std::int64_t> result;
    for (auto& [partition, state] : partitions_) {
        if (state.committable) result[partition] = *state.committable;
        state.committable.reset();
    }
    return result;
}

void OffsetTracker::drop(const std::vector<std::int32_t>& partitions) {
    for (auto partition : partitions) {
        auto it = partitions_.find(partition);
        if (it == partitions_.end()) continue;
        in_flight_ -= it->second.slots.size();
        partitions_.erase(it);
    }
}

}  // namespace kpipe::pipeline
