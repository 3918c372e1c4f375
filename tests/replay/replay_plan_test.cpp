#include "replay/replay_plan.hpp"

#include <catch2/catch.hpp>

#include <vector>

using kpipe::record::HeaderView;
using kpipe::record::RecordView;
using namespace kpipe::replay;
using namespace std::string_view_literals;

namespace {

const std::vector<HeaderView> kConnectHeaders = {
    {"trace", "t1"},
    {"__connect.errors.topic", "orders"},
    {"__connect.errors.partition", "2"},
    {"__connect.errors.offset", "40"},
    {"__connect.errors.exception.message", "Cannot index number"},
};

RecordView dead_letter(std::span<const HeaderView> headers, std::string_view value = R"({"n":1})",
                       std::int64_t timestamp = 1000) {
    RecordView record;
    record.topic = "orders-dlq";
    record.partition = 0;
    record.offset = 7;
    record.timestamp_ms = timestamp;
    record.key = "k";
    record.value = value;
    record.headers = headers;
    return record;
}

}  // namespace

TEST_CASE("a dead letter goes back to its origin with the count raised", "[replay]") {
    ReplayOptions options;
    auto planner = ReplayPlanner::create(options);
    REQUIRE(planner);
    const auto record = dead_letter(kConnectHeaders);
    const auto& decision = planner->decide(record);
    REQUIRE(decision.fate == Fate::replay);
    CHECK(decision.target == "orders");
    CHECK(decision.partition == -1);
    CHECK(decision.error_message == "Cannot index number"sv);
    REQUIRE(planner->output_count() == 1);
    const auto out = planner->output(record, 0);
    CHECK(out.topic == "orders");
    CHECK(out.key == "k"sv);
    CHECK(out.value == R"({"n":1})"sv);
    CHECK(out.timestamp_ms == 1000);
    REQUIRE(out.headers.size() == 2);
    CHECK(out.headers[0].name == "trace");
    CHECK(out.headers[1].name == kReplayCountHeader);
    CHECK(out.headers[1].value == "1"sv);
}

TEST_CASE("the loop guard leaves records at --max-replays in place", "[replay]") {
    ReplayOptions options;
    options.max_replays = 2;
    auto planner = ReplayPlanner::create(options);
    REQUIRE(planner);
    auto headers = kConnectHeaders;
    headers.push_back({kReplayCountHeader, "1"});
    CHECK(planner->decide(dead_letter(headers)).fate == Fate::replay);
    CHECK(planner->decide(dead_letter(headers)).next_count == 2);
    headers.back().value = "2";
    const auto& at_limit = planner->decide(dead_letter(headers));
    CHECK(at_limit.fate == Fate::over_limit);
    CHECK_THAT(at_limit.reason, Catch::Contains("--max-replays 2"));
    headers.back().value = "junk";
    CHECK(planner->decide(dead_letter(headers)).fate == Fate::over_limit);
}

TEST_CASE("without origin headers a record needs --to", "[replay]") {
    const std::vector<HeaderView> headers = {{"trace", "t1"}};
    ReplayOptions options;
    auto planner = ReplayPlanner::create(options);
    REQUIRE(planner);
    CHECK(planner->decide(dead_letter(headers)).fate == Fate::unroutable);

    options.to = "elsewhere";
    const auto& routed = planner->decide(dead_letter(headers));
    CHECK(routed.fate == Fate::replay);
    CHECK(routed.target == "elsewhere");

    options.same_partition = true;  // --to keeps the original partition: it must be known
    CHECK(planner->decide(dead_letter(headers)).fate == Fate::unroutable);
    CHECK(planner->decide(dead_letter(kConnectHeaders)).partition == 2);
}

TEST_CASE("the time window and the error text select records", "[replay]") {
    ReplayOptions options;
    options.since_ms = 1000;
    options.until_ms = 2000;
    options.error_contains = "index";
    auto planner = ReplayPlanner::create(options);
    REQUIRE(planner);
    CHECK(planner->decide(dead_letter(kConnectHeaders, "1", 999)).fate == Fate::skipped);
    CHECK(planner->decide(dead_letter(kConnectHeaders, "1", 1000)).fate == Fate::replay);
    CHECK(planner->decide(dead_letter(kConnectHeaders, "1", 2000)).fate == Fate::skipped);
    options.error_contains = "Index";  // case matters
    CHECK(planner->decide(dead_letter(kConnectHeaders, "1", 1500)).fate == Fate::skipped);
}

TEST_CASE("the where filter selects and FILTER repairs and non-JSON is a filter error",
          "[replay]") {
    ReplayOptions options;
    options.where = ".n > 1";
    options.filter = "{n: (.n * 10)}, {m: .n}";
    auto planner = ReplayPlanner::create(options);
    REQUIRE(planner);
    CHECK(planner->decide(dead_letter(kConnectHeaders, R"({"n":1})")).fate == Fate::skipped);
    const auto record = dead_letter(kConnectHeaders, R"({"n":2})");
    REQUIRE(planner->decide(record).fate == Fate::replay);
    REQUIRE(planner->output_count() == 2);
    CHECK(planner->output(record, 0).value == R"({"n":20})"sv);
    CHECK(planner->output(record, 1).value == R"({"m":2})"sv);

    const auto& broken = planner->decide(dead_letter(kConnectHeaders, "not json"));
    CHECK(broken.fate == Fate::filter_error);
    CHECK_THAT(broken.reason, Catch::StartsWith("--where: "));

    auto tombstone = dead_letter(kConnectHeaders);
    tombstone.value.reset();
    CHECK(planner->decide(tombstone).fate == Fate::filter_error);
}

TEST_CASE("a filter with no output skips and a bad filter is a usage error", "[replay]") {
    ReplayOptions options;
    options.filter = "select(.n > 5)";
    auto planner = ReplayPlanner::create(options);
    REQUIRE(planner);
    CHECK(planner->decide(dead_letter(kConnectHeaders)).fate == Fate::skipped);

    options.filter = "{";
    auto bad = ReplayPlanner::create(options);
    REQUIRE(!bad);
    CHECK(bad.error().kind == kpipe::ErrorKind::usage);
    CHECK_THAT(bad.error().message, Catch::StartsWith("FILTER: "));
    options.filter.reset();
    options.where = "reduce .[] as $x (0; . + $y)";
    REQUIRE(!ReplayPlanner::create(options));
}
