#include "pipeline/offset_tracker.hpp"

#include <catch2/catch.hpp>

using kpipe::pipeline::OffsetTracker;
using Committable = std::map<std::int32_t, std::int64_t>;

TEST_CASE("offsets are committable only in order and once delivered", "[pipeline]") {
    OffsetTracker tracker;
    auto& first = tracker.track(0, 10);
    OffsetTracker::add_pending(first);
    tracker.seal(first);
    auto& filtered = tracker.track(0, 11);  // produced nothing
    tracker.seal(filtered);
    auto& other = tracker.track(1, 5);
    OffsetTracker::add_pending(other);
    OffsetTracker::add_pending(other);
    tracker.seal(other);

    CHECK(tracker.take_committable().empty());  // offset 10 is still waiting for its ack
    tracker.delivered(first, false);
    CHECK(tracker.take_committable() == Committable{{0, 12}});
    tracker.delivered(other, false);
    CHECK(tracker.take_committable().empty());  // one of two outputs still pending
    tracker.delivered(other, false);
    CHECK(tracker.take_committable() == Committable{{1, 6}});
    CHECK(tracker.in_flight() == 0);
    CHECK(tracker.take_committable().empty());  // nothing new since the last take
}

TEST_CASE("a failed delivery blocks its partition and is reported", "[pipeline]") {
    OffsetTracker tracker;
    auto& failing = tracker.track(3, 100);
    OffsetTracker::add_pending(failing);
    tracker.seal(failing);
    auto& later = tracker.track(3, 101);
    OffsetTracker::add_pending(later);
    tracker.seal(later);
    tracker.delivered(later, false);
    tracker.delivered(failing, true);
    CHECK(tracker.take_committable().empty());
    REQUIRE(tracker.has_failure());
    CHECK(*tracker.failure() == "partition 3 offset 100");
}

TEST_CASE("dropped partitions are forgotten", "[pipeline]") {
    OffsetTracker tracker;
    auto& slot = tracker.track(2, 7);
    OffsetTracker::add_pending(slot);
    tracker.seal(slot);
    CHECK(tracker.in_flight() == 1);
    tracker.drop({2});
    CHECK(tracker.in_flight() == 0);
    CHECK(tracker.take_committable().empty());
}
