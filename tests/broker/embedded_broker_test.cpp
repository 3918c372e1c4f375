#include "broker/embedded_broker.hpp"

#include <catch2/catch.hpp>

using kpipe::broker::parse_topic_spec;

TEST_CASE("topic specs: NAME or NAME:PARTITIONS", "[broker]") {
    auto plain = parse_topic_spec("user-login");
    CHECK((plain->name == "user-login" && plain->partitions == 1));
    auto counted = parse_topic_spec("user-login:6");
    CHECK((counted->name == "user-login" && counted->partitions == 6));
    auto replicated = parse_topic_spec("user-login:6:3");
    CHECK((replicated->partitions == 6 && replicated->replicas == 3));
    CHECK_FALSE(counted->replicas);
    for (const char* bad : {"", ":3", "t:0", "t:x", "t:-1", "t:", "t:6:0", "t:6:x", "t:1:1:1"}) {
        auto spec = parse_topic_spec(bad);
        REQUIRE_FALSE(spec);
        CHECK(spec.error().kind == kpipe::ErrorKind::usage);
    }
}

TEST_CASE("control commands: down ID, up ID, rtt ID MS", "[broker]") {
    using Action = kpipe::broker::ControlCommand::Action;
    auto down = kpipe::broker::parse_control_command("down 2");
    CHECK((down->action == Action::down && down->broker_id == 2));
    auto up = kpipe::broker::parse_control_command("  up   3 ");
    CHECK((up->action == Action::up && up->broker_id == 3));
    auto rtt = kpipe::broker::parse_control_command("rtt 1 250");
    CHECK((rtt->action == Action::rtt && rtt->broker_id == 1 && rtt->rtt_ms == 250));
    for (const char* bad : {"", "down", "down x", "up 1 2", "rtt 1", "rtt 1 -5", "reboot 1"}) {
        CHECK_FALSE(kpipe::broker::parse_control_command(bad));
    }
}
