#include "log/structured_log.hpp"

#include <catch2/catch.hpp>

using kpipe::log::Fields;
using kpipe::log::json_line;

namespace {

// 2023-09-12T00:45:51.042Z
const auto kTime = std::chrono::system_clock::time_point(std::chrono::milliseconds(1694479551042));

}  // namespace

TEST_CASE("json_line carries time, level, subcommand and message") {
    CHECK(json_line(kTime, "info", "transform", "hello", {}) ==
          "{\"time\":\"2023-09-12T00:45:51.042Z\",\"level\":\"info\",\"subcommand\":\"transform\","
          "\"message\":\"hello\"}\n");
}

TEST_CASE("json_line pads milliseconds and handles whole seconds") {
    const auto whole = std::chrono::system_clock::time_point(std::chrono::seconds(1694479551));
    CHECK(json_line(whole, "info", "x", "", {})
              .starts_with("{\"time\":\"2023-09-12T00:45:51.000Z\""));
    const auto early = whole + std::chrono::milliseconds(7);
    CHECK(json_line(early, "info", "x", "", {})
              .starts_with("{\"time\":\"2023-09-12T00:45:51.007Z\""));
}

TEST_CASE("json_line writes record fields as numbers and text as strings") {
    auto fields = kpipe::log::record_fields("user-login", 3, 42);
    fields.push_back({"error", std::string("invalid JSON")});
    fields.push_back({"seconds", 1.5});
    fields.push_back({"in", std::uint64_t{18446744073709551615u}});
    fields.push_back({"interrupted", false});
    CHECK(json_line(kTime, "warning", "replay-dlq", "m", fields) ==
          "{\"time\":\"2023-09-12T00:45:51.042Z\",\"level\":\"warning\",\"subcommand\":"
          "\"replay-dlq\",\"message\":\"m\",\"topic\":\"user-login\",\"partition\":3,"
          "\"offset\":42,\"error\":\"invalid JSON\",\"seconds\":1.500,"
          "\"in\":18446744073709551615,\"interrupted\":false}\n");
}

TEST_CASE("json_line escapes quotes, backslashes and control characters") {
    const auto line = json_line(kTime, "error", "consume", "a \"b\" \\ c\nd\te\x01\x7f", {});
    CHECK(line.find("\"message\":\"a \\\"b\\\" \\\\ c\\nd\\te\\u0001\\u007f\"") !=
          std::string::npos);
    CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("json_line keeps UTF-8 and replaces invalid bytes") {
    CHECK(json_line(kTime, "info", "x", "caf\xc3\xa9 \xe2\x82\xac", {})
              .find("\"message\":\"caf\xc3\xa9 \xe2\x82\xac\"") != std::string::npos);
    CHECK(json_line(kTime, "info", "x",
                    "a\xff"
                    "b\xc3",
                    {})
              .find("\"message\":\"a\xef\xbf\xbd"
                    "b\xef\xbf\xbd\"") != std::string::npos);
    // An overlong encoding of '/' and a UTF-16 surrogate are not valid UTF-8.
    CHECK(json_line(kTime, "info", "x", "\xc0\xaf|\xed\xa0\x80", {})
              .find("\"message\":\"\xef\xbf\xbd\xef\xbf\xbd|"
                    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"") != std::string::npos);
}

TEST_CASE("parse_format knows text and json") {
    CHECK(kpipe::log::parse_format("text") == kpipe::log::Format::text);
    CHECK(kpipe::log::parse_format("json") == kpipe::log::Format::json);
    CHECK_FALSE(kpipe::log::parse_format("xml"));
}
