#include "replay/origin_headers.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using kpipe::record::HeaderView;
using namespace kpipe::replay;
using namespace std::string_view_literals;

namespace {

std::string big_endian(std::uint64_t value, std::size_t bytes) {
    std::string text(bytes, '\0');
    for (std::size_t i = 0; i < bytes; ++i) {
        text[bytes - 1 - i] = static_cast<char>(value & 0xff);
        value >>= 8;
    }
    return text;
}

}  // namespace

TEST_CASE("kpipe's and Kafka Connect's string headers give the origin", "[replay]") {
    const std::vector<HeaderView> headers = {
        {"trace", "t1"},
        {"__connect.errors.topic", "orders"},
        {"__connect.errors.partition", "3"},
        {"__connect.errors.offset", "9000000000"},
        {"__connect.errors.exception.message", "bad value"},
    };
    auto origin = find_origin(headers);
    REQUIRE(origin);
    REQUIRE(*origin);
    CHECK((*origin)->convention == Convention::connect);
    CHECK((*origin)->topic == "orders");
    CHECK((*origin)->partition == 3);
    CHECK((*origin)->offset == 9000000000LL);
    CHECK(error_message(headers) == "bad value"sv);
}

TEST_CASE("Kafka Streams' headers give the origin and either message header", "[replay]") {
    std::vector<HeaderView> headers = {
        {"__streams.errors.topic", "clicks"},
        {"__streams.errors.partition", "0"},
        {"__streams.errors.offset", "17"},
        {"__streams.errors.message", "deserialization failed"},
    };
    auto origin = find_origin(headers);
    REQUIRE(origin);
    REQUIRE(*origin);
    CHECK((*origin)->convention == Convention::streams);
    CHECK((*origin)->topic == "clicks");
    CHECK((*origin)->partition == 0);
    CHECK((*origin)->offset == 17);
    CHECK(error_message(headers) == "deserialization failed"sv);
    headers.back() = {"__streams.errors.exception.message", "other"};
    CHECK(error_message(headers) == "other"sv);
}

TEST_CASE("Spring Kafka's partition and offset are big-endian binaries", "[replay]") {
    const std::string partition = big_endian(2, 4);
    const std::string offset = big_endian(0x0102030405060708ULL, 8);
    const std::vector<HeaderView> headers = {
        {"kafka_dlt-original-topic", "payments"},
        {"kafka_dlt-original-partition", partition},
        {"kafka_dlt-original-offset", offset},
        {"kafka_dlt-exception-message", "Listener failed"},
    };
    auto origin = find_origin(headers);
    REQUIRE(origin);
    REQUIRE(*origin);
    CHECK((*origin)->convention == Convention::spring);
    CHECK((*origin)->topic == "payments");
    CHECK((*origin)->partition == 2);
    CHECK((*origin)->offset == 0x0102030405060708LL);
    CHECK(error_message(headers) == "Listener failed"sv);
}

TEST_CASE("the first convention present wins in the order Connect then Streams then Spring",
          "[replay]") {
    const std::string partition = big_endian(1, 4);
    const std::vector<HeaderView> headers = {
        {"kafka_dlt-original-topic", "spring-topic"},
        {"kafka_dlt-original-partition", partition},
        {"__streams.errors.topic", "streams-topic"},
        {"__connect.errors.topic", "connect-topic"},
    };
    auto origin = find_origin(headers);
    REQUIRE(origin);
    REQUIRE(*origin);
    CHECK((*origin)->topic == "connect-topic");
    CHECK(!(*origin)->partition);  // absent partition and offset are not errors
    CHECK(!(*origin)->offset);

    auto streams = find_origin(std::span(headers).first(3));
    REQUIRE(streams);
    CHECK((*streams)->topic == "streams-topic");
}

TEST_CASE("no origin headers or an empty topic is no origin", "[replay]") {
    const std::vector<HeaderView> none = {{"trace", "t1"}};
    auto origin = find_origin(none);
    REQUIRE(origin);
    CHECK(!*origin);
    const std::vector<HeaderView> empty_topic = {{"__connect.errors.topic", ""}};
    CHECK(!*find_origin(empty_topic));
    const std::vector<HeaderView> null_topic = {{"__connect.errors.topic", std::nullopt}};
    CHECK(!*find_origin(null_topic));
    CHECK(!error_message(none));
}

TEST_CASE("malformed partition and offset values are errors naming the header", "[replay]") {
    SECTION("Connect partition not a number") {
        const std::vector<HeaderView> headers = {{"__connect.errors.topic", "t"},
                                                 {"__connect.errors.partition", "x1"}};
        auto origin = find_origin(headers);
        REQUIRE(!origin);
        CHECK_THAT(origin.error().message,
                   Catch::Contains("__connect.errors.partition") && Catch::Contains("decimal"));
    }
    SECTION("Streams offset negative") {
        const std::vector<HeaderView> headers = {{"__streams.errors.topic", "t"},
                                                 {"__streams.errors.offset", "-5"}};
        REQUIRE(!find_origin(headers));
    }
    SECTION("Spring partition as a string instead of 4 bytes") {
        const std::vector<HeaderView> headers = {{"kafka_dlt-original-topic", "t"},
                                                 {"kafka_dlt-original-partition", "2"}};
        auto origin = find_origin(headers);
        REQUIRE(!origin);
        CHECK_THAT(origin.error().message, Catch::Contains("4-byte big-endian"));
    }
    SECTION("Spring offset of 4 bytes instead of 8") {
        const std::string offset = big_endian(7, 4);
        const std::vector<HeaderView> headers = {{"kafka_dlt-original-topic", "t"},
                                                 {"kafka_dlt-original-offset", offset}};
        auto origin = find_origin(headers);
        REQUIRE(!origin);
        CHECK_THAT(origin.error().message, Catch::Contains("8-byte big-endian"));
    }
    SECTION("Spring partition with the sign bit set") {
        const std::string partition = big_endian(0xffffffff, 4);
        const std::vector<HeaderView> headers = {{"kafka_dlt-original-topic", "t"},
                                                 {"kafka_dlt-original-partition", partition}};
        REQUIRE(!find_origin(headers));
    }
}

TEST_CASE("error headers of every convention are stripped and others kept in order", "[replay]") {
    CHECK(is_error_header("__connect.errors.stage"));
    CHECK(is_error_header("__streams.errors.stacktrace"));
    CHECK(is_error_header("kafka_dlt-exception-fqcn"));
    CHECK(!is_error_header("kafka_dlt"));
    CHECK(!is_error_header("trace"));
    CHECK(!is_error_header(kReplayCountHeader));

    const std::vector<HeaderView> original = {
        {"a", "1"},          {"__connect.errors.topic", "t"},   {"kpipe-replay-count", "1"},
        {"b", std::nullopt}, {"kafka_dlt-original-topic", "t"}, {"a", "2"},
    };
    ReplayHeaders builder;
    auto stripped = builder.build(original, false, 2);
    REQUIRE(stripped.size() == 4);
    CHECK(stripped[0].name == "a");
    CHECK(stripped[0].value == "1"sv);
    CHECK(stripped[1].name == "b");
    CHECK(!stripped[1].value);
    CHECK(stripped[2].value == "2"sv);
    CHECK(stripped[3].name == kReplayCountHeader);
    CHECK(stripped[3].value == "2"sv);

    auto kept = builder.build(original, true, 5);
    REQUIRE(kept.size() == 6);
    CHECK(kept[1].name == "__connect.errors.topic");
    CHECK(kept[3].name == "kafka_dlt-original-topic");
    CHECK(kept[5].value == "5"sv);
}

TEST_CASE("the replay count is 0 without the header and must be decimal", "[replay]") {
    const std::vector<HeaderView> none = {{"a", "1"}};
    CHECK(*replay_count(none) == 0);
    const std::vector<HeaderView> two = {{kReplayCountHeader, "2"}};
    CHECK(*replay_count(two) == 2);
    const std::vector<HeaderView> later_wins = {{kReplayCountHeader, "1"},
                                                {kReplayCountHeader, "3"}};
    CHECK(*replay_count(later_wins) == 3);
    for (auto bad : {"x", "", "-1", "1.5", "99999999999"}) {
        const std::vector<HeaderView> malformed = {{kReplayCountHeader, std::string_view(bad)}};
        CHECK(!replay_count(malformed));
    }
    const std::vector<HeaderView> null_value = {{kReplayCountHeader, std::nullopt}};
    CHECK(!replay_count(null_value));
}
