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
