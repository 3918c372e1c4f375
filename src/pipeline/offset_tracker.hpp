#pragma once
// At-least-once bookkeeping: an input offset may be committed only once every output and
// dead-letter record it produced has been acknowledged, and only after all earlier offsets of
// its partition are done too.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kpipe::pipeline {

class OffsetTracker {
  public:
    // One input record in flight. Its address stays valid until the partition is dropped.
    struct Slot {
        std::int32_t partition = 0;
        std::int64_t offset = 0;
        std::uint32_t pending = 0;  // sent records not yet acknowledged
        bool sealed = false;        // every record it produces has been sent
        bool failed = false;        // one of them could not be delivered
    };

    // Starts tracking an input record; add_pending() for each record sent on its behalf, then
    // seal() it.
    Slot& track(std::int32_t partition, std::int64_t offset);
    static void add_pending(Slot& slot) { ++slot.pending; }
    void seal(Slot& slot);
    // A record sent on behalf of `slot` was acknowledged (or failed, with `failed`).
    void delivered(Slot& slot, bool failed);

    // For each partition with progress since the last call: the offset to resume from
    // (one past the last input record completed in order). Failed records block progress.
    std::map<std::int32_t, std::int64_t> take_committable();
    // Forgets partitions (after they were revoked and committed).
    void drop(const std::vector<std::int32_t>& partitions);

    std::uint64_t in_flight() const { return in_flight_; }
    bool has_failure() const { return failure_.has_value(); }
    // Where the first failure happened: "partition P offset O".
    const std::optional<std::string>& failure() const { return failure_; }

  private:
    struct PartitionState {
        std::deque<Slot> slots;
        std::optional<std::int64_t> committable;  // set when it moved since the last take
    };
    void advance(PartitionState& state);

    std::map<std::int32_t, PartitionState> partitions_;
    std::uint64_t in_flight_ = 0;
    std::optional<std::string> failure_;
};

}  // namespace kpipe::pipeline
