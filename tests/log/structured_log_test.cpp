#include "log/structured_log.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>

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

namespace {

// Runs `body` with stderr sent to a temporary file; returns what was written.
template <class Body>
std::string captured_stderr(Body body) {
    std::fflush(stderr);
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    const int saved = dup(2);
    dup2(fileno(file), 2);
    body();
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::rewind(file);
    std::string text;
    for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text += static_cast<char>(c);
    std::fclose(file);
    return text;
}

}  // namespace

TEST_CASE("the scrubber rewrites messages and string fields in both formats") {
    kpipe::log::set_scrubber([](std::string_view text) {
        std::string out(text);
        for (auto at = out.find("hunter2"); at != std::string::npos; at = out.find("hunter2")) {
            out.replace(at, 7, "[redacted]");
        }
        return out;
    });
    for (auto format : {kpipe::log::Format::text, kpipe::log::Format::json}) {
        kpipe::log::configure(format, "test", spdlog::level::info);
        const auto text = captured_stderr([] {
            kpipe::log::write(spdlog::level::warn, "password hunter2 rejected",
                              {{"error", std::string("bad hunter2")}});
            spdlog::info("direct hunter2");
            kpipe::log::summary("kpipe test: hunter2 done", {});
        });
        INFO(text);
        CHECK(text.find("hunter2") == std::string::npos);
        CHECK(text.find("password [redacted] rejected") != std::string::npos);
        CHECK(text.find("direct [redacted]") != std::string::npos);
        if (format == kpipe::log::Format::json) {
            CHECK(text.find("\"error\":\"bad [redacted]\"") != std::string::npos);
        }
    }
    kpipe::log::set_scrubber({});
    kpipe::log::configure(kpipe::log::Format::text, "test", spdlog::level::warn);
}
