#include "replay/record_time.hpp"

#include <catch2/catch.hpp>

using kpipe::replay::parse_time;

TEST_CASE("TIME is epoch milliseconds or ISO-8601 with a zone", "[replay]") {
    CHECK(*parse_time("1700000000123", "--since") == 1700000000123LL);
    CHECK(*parse_time("2026-11-27T10:00:00Z", "--since") == 1795773600000LL);
    CHECK(*parse_time("2026-11-27T10:00:00.25Z", "--since") == 1795773600250LL);
    CHECK(*parse_time("2026-11-27T12:00:00+02:00", "--since") == 1795773600000LL);
    CHECK(*parse_time("2026-11-27T09:30:00-00:30", "--since") == 1795773600000LL);
    for (auto bad : {"", "yesterday", "2026-11-27", "2026-11-27T10:00:00", "2026-13-01T00:00:00Z",
                     "2026-11-27T10:00:00Zx", "-5"}) {
        auto parsed = parse_time(bad, "--until");
        REQUIRE(!parsed);
        CHECK(parsed.error().kind == kpipe::ErrorKind::usage);
        CHECK_THAT(parsed.error().message, Catch::StartsWith("--until '"));
    }
}
