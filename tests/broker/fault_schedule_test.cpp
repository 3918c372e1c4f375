#include "broker/fault_schedule.hpp"

#include <catch2/catch.hpp>

using kpipe::broker::FaultSchedule;
using kpipe::broker::parse_fault_spec;
using namespace std::chrono_literals;

TEST_CASE("fault schedule: at= and for=", "[broker][fault]") {
    FaultSchedule schedule;
    const auto start = FaultSchedule::Clock::time_point{} + 1h;
    schedule.add(*parse_fault_spec("at=5s down broker=2 for=3s"), start);
    CHECK(schedule.take_due(start + 4999ms).empty());
    auto fired = schedule.take_due(start + 5s);
    REQUIRE(fired.size() == 1);
    CHECK_FALSE(fired[0].undo);
    CHECK(fired[0].when == start + 5s);
    CHECK(schedule.take_due(start + 7s).empty());
    auto undone = schedule.take_due(start + 8s);
    REQUIRE(undone.size() == 1);
    CHECK(undone[0].undo);
    CHECK(schedule.empty());
}

TEST_CASE("fault schedule: every= repeats, rounds count up, late ticks catch up in order",
          "[broker][fault]") {
    FaultSchedule schedule;
    const auto start = FaultSchedule::Clock::time_point{} + 1h;
    schedule.add(*parse_fault_spec("every=10s leader topic=t"), start);
    schedule.add(*parse_fault_spec("at=12s rtt broker=1 ms=50 for=1s"), start);
    auto first = schedule.take_due(start);
    REQUIRE(first.size() == 1);
    CHECK(first[0].round == 1);
    // One late tick at 25 s: leader round 2 (10 s), rtt on (12 s), rtt off (13 s), round 3 (20 s).
    auto late = schedule.take_due(start + 25s);
    REQUIRE(late.size() == 4);
    CHECK((late[0].round == 2 && late[0].when == start + 10s));
    CHECK((late[1].fault.kind == kpipe::broker::Fault::Kind::rtt && !late[1].undo));
    CHECK((late[2].undo && late[2].when == start + 13s));
    CHECK((late[3].round == 3 && late[3].when == start + 20s));
    CHECK_FALSE(schedule.empty());  // the leader rotation goes on
}

TEST_CASE("fault schedule: every= with for= undoes before the next round", "[broker][fault]") {
    FaultSchedule schedule;
    const auto start = FaultSchedule::Clock::time_point{} + 1h;
    schedule.add(*parse_fault_spec("every=4s down broker=1 for=1s"), start);
    auto fired = schedule.take_due(start + 8s);
    REQUIRE(fired.size() == 5);  // down 0, up 1, down 4, up 5, down 8
    CHECK((!fired[0].undo && fired[1].undo && !fired[2].undo && fired[3].undo && !fired[4].undo));
    CHECK(fired[4].when == start + 8s);
}
