#include "consume/offset_spec.hpp"

#include <catch2/catch.hpp>

using kpipe::consume::OffsetSpec;
using kpipe::consume::parse_offset_spec;
using Kind = OffsetSpec::Kind;

TEST_CASE("offset specs in kcat's syntax", "[consume]") {
    CHECK(parse_offset_spec("beginning")->kind == Kind::beginning);
    CHECK(parse_offset_spec("end")->kind == Kind::end);
    CHECK(parse_offset_spec("stored")->kind == Kind::stored);
    auto absolute = parse_offset_spec("42");
    CHECK((absolute->kind == Kind::absolute && absolute->value == 42));
    auto from_end = parse_offset_spec("-10");
    CHECK((from_end->kind == Kind::from_end && from_end->value == 10));
    auto timestamp = parse_offset_spec("s@1694479551000");
    CHECK((timestamp->kind == Kind::timestamp && timestamp->value == 1694479551000));
}

TEST_CASE("bad offset specs are usage errors", "[consume]") {
    for (const char* bad : {"", "start", "-0", "--1", "s@", "s@x", "12x", "-"}) {
        auto spec = parse_offset_spec(bad);
        REQUIRE_FALSE(spec);
        CHECK(spec.error().kind == kpipe::ErrorKind::usage);
        CHECK(spec.error().message.find("--offset") != std::string::npos);
    }
}
