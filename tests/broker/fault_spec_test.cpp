#include "broker/fault_spec.hpp"

#include <catch2/catch.hpp>

using kpipe::broker::Fault;
using kpipe::broker::parse_control_command;
using kpipe::broker::parse_fault_spec;
using namespace std::chrono_literals;

namespace {

// The message of the usage error for `text`, or "" if it parsed.
std::string error_for(const char* text) {
    auto fault = parse_fault_spec(text);
    if (fault) return "";
    CHECK(fault.error().kind == kpipe::ErrorKind::usage);
    return fault.error().message;
}

}  // namespace

TEST_CASE("fault specs: broker down and up, with times", "[broker][fault]") {
    auto down = parse_fault_spec("at=5s broker=2 down for=3s");
    REQUIRE(down);
    CHECK(down->kind == Fault::Kind::down);
    CHECK(down->at == 5s);
    CHECK(down->duration == std::optional(std::chrono::milliseconds(3s)));
    CHECK(down->broker_id == 2);
    CHECK_FALSE(down->every);
    CHECK(describe(*down) == "broker 2 down for 3s");

    auto up = parse_fault_spec("  up   broker=1 at=250ms every=2m ");
    REQUIRE(up);
    CHECK(up->kind == Fault::Kind::up);
    CHECK(up->at == 250ms);
    CHECK(up->every == std::optional(std::chrono::milliseconds(2min)));
}

TEST_CASE("fault specs: request errors by API and Kafka error name", "[broker][fault]") {
    auto error = parse_fault_spec("at=2s error api=Produce code=NOT_LEADER_OR_FOLLOWER count=5");
    REQUIRE(error);
    CHECK(error->kind == Fault::Kind::error);
    CHECK(error->api_key == 0);
    CHECK(error->error_code == 6);
    CHECK(error->count == 5);
    CHECK_FALSE(error->broker_id);
    CHECK(describe(*error) == "the next 5 Produce requests fail with NOT_LEADER_OR_FOLLOWER");

    // Case-insensitive names, librdkafka's names, numbers; broker= narrows it to one broker.
    auto commit = parse_fault_spec("error api=offsetcommit code=not_coordinator broker=3");
    REQUIRE(commit);
    CHECK((commit->api_key == 8 && commit->error_code == 16 && commit->count == 1));
    CHECK(commit->broker_id == 3);
    CHECK(parse_fault_spec("error api=Fetch code=NOT_LEADER_FOR_PARTITION")->error_code == 6);
    CHECK(parse_fault_spec("error api=TxnOffsetCommit code=7")->api_key == 28);
    CHECK(kpipe::broker::error_name(7) == "REQUEST_TIMED_OUT");
}

TEST_CASE("fault specs: leader changes, latency, coordinators", "[broker][fault]") {
    auto rotate = parse_fault_spec("every=10s leader topic=T");
    REQUIRE(rotate);
    CHECK((rotate->kind == Fault::Kind::leader && rotate->topic == "T"));
    CHECK((!rotate->partition && !rotate->broker_id));
    CHECK(rotate->every == std::optional(std::chrono::milliseconds(10s)));
    CHECK(describe(*rotate) == "leader of T (every partition) moves to the next broker");

    auto moved = parse_fault_spec("leader topic=orders partition=3 broker=2");
    REQUIRE(moved);
    CHECK((moved->partition == 3 && moved->broker_id == 2));

    auto rtt = parse_fault_spec("rtt broker=1 ms=200");
    REQUIRE(rtt);
    CHECK((rtt->kind == Fault::Kind::rtt && rtt->rtt_ms == 200 && rtt->broker_id == 1));

    auto coordinator = parse_fault_spec("coordinator txn=kpipe-g broker=2");
    REQUIRE(coordinator);
    CHECK(coordinator->coordinator_type == "transaction");
    CHECK(coordinator->coordinator_key == "kpipe-g");
}

TEST_CASE("fault specs: errors name the bad word and the fix", "[broker][fault]") {
    CHECK_THAT(error_for(""), Catch::Contains("no fault kind"));
    CHECK_THAT(error_for("reboot broker=1"), Catch::Contains("unknown word 'reboot'"));
    CHECK_THAT(error_for("down up broker=1"), Catch::Contains("two fault kinds"));
    CHECK_THAT(error_for("down"), Catch::Contains("'down' needs broker=; write down broker=ID"));
    CHECK_THAT(error_for("down broker=0"), Catch::Contains("broker ids are 1, 2"));
    CHECK_THAT(error_for("down broker=x"), Catch::Contains("'broker=x'"));
    CHECK_THAT(error_for("at=5 down broker=1"), Catch::Contains("'at=5' needs a time with a unit"));
    CHECK_THAT(error_for("every=0s leader topic=t"), Catch::Contains("positive"));
    CHECK_THAT(error_for("up broker=1 for=2s"), Catch::Contains("'for=' does not apply to 'up'"));
    CHECK_THAT(error_for("down broker=1 broker=2"), Catch::Contains("given twice"));
    CHECK_THAT(error_for("rtt broker=1"), Catch::Contains("needs ms="));
    CHECK_THAT(error_for("rtt broker=1 ms=-1"), Catch::Contains("milliseconds"));
    CHECK_THAT(error_for("error api=Produce"), Catch::Contains("needs code="));
    CHECK_THAT(error_for("error api=Produse code=7"), Catch::Contains("unknown api 'Produse'"));
    CHECK_THAT(error_for("error api=Produce code=_TIMED_OUT"),
               Catch::Contains("unknown Kafka error '_TIMED_OUT'"));
    CHECK_THAT(error_for("error api=Produce code=0"), Catch::Contains("unknown Kafka error"));
    CHECK_THAT(error_for("error api=Produce code=7 count=0"), Catch::Contains("count=5"));
    CHECK_THAT(error_for("leader partition=1"), Catch::Contains("needs topic="));
    CHECK_THAT(error_for("coordinator broker=1"), Catch::Contains("needs group="));
    CHECK_THAT(error_for("coordinator group=a txn=b broker=1"), Catch::Contains("not both"));
    CHECK_THAT(error_for("every=2s down broker=1 for=2s"),
               Catch::Contains("shorter than every=2s"));
    // Every message starts with the spec, so the user sees which --fault it was.
    CHECK_THAT(error_for("down"), Catch::StartsWith("fault 'down': "));
}

TEST_CASE("control commands: fault specs and the positional forms", "[broker][fault]") {
    auto down = parse_control_command("down 2");
    REQUIRE(down);
    CHECK((down->kind == Fault::Kind::down && down->broker_id == 2));
    CHECK(down->text == "down 2");
    auto up = parse_control_command("  up   3 ");
    CHECK((up && up->kind == Fault::Kind::up && up->broker_id == 3));
    auto rtt = parse_control_command("rtt 1 250");
    CHECK((rtt && rtt->kind == Fault::Kind::rtt && rtt->broker_id == 1 && rtt->rtt_ms == 250));
    auto error = parse_control_command("error api=Fetch code=NOT_LEADER_OR_FOLLOWER count=2");
    CHECK((error && error->api_key == 1 && error->count == 2));
    for (const char* bad : {"", "down", "down x", "up 1 2", "rtt 1", "rtt 1 -5", "reboot 1"}) {
        CHECK_FALSE(parse_control_command(bad));
    }
}

TEST_CASE("durations: ms, s, m", "[broker][fault]") {
    using kpipe::broker::format_duration;
    using kpipe::broker::parse_duration;
    CHECK(parse_duration("500ms") == std::optional(std::chrono::milliseconds(500)));
    CHECK(parse_duration("0s") == std::optional(std::chrono::milliseconds(0)));
    CHECK(parse_duration("2m") == std::optional(std::chrono::milliseconds(120'000)));
    for (const char* bad : {"", "5", "s", "-1s", "1.5s", "5h", "ms"})
        CHECK_FALSE(parse_duration(bad));
    CHECK(format_duration(std::chrono::milliseconds(1500)) == "1500ms");
    CHECK(format_duration(std::chrono::milliseconds(3000)) == "3s");
    CHECK(format_duration(std::chrono::milliseconds(120'000)) == "2m");
}
