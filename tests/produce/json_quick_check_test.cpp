#include "produce/json_quick_check.hpp"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "generate/login_event_generator.hpp"

using kpipe::produce::quick_json_check;
using kpipe::produce::QuickCheck;

namespace {

// The check reads up to 16 bytes past the line, as io::LineReader's padding allows; fill the
// padding with bytes that would be wrong to accept.
QuickCheck check(const std::string& line) {
    std::string padded = line + std::string(64, '"');
    return quick_json_check(std::string_view(padded.data(), line.size()));
}

bool simdjson_accepts(const std::string& line) {
    static simdjson::dom::parser parser;
    simdjson::dom::element document;
    return parser.parse(simdjson::padded_string(line)).get(document) == simdjson::SUCCESS;
}

}  // namespace

TEST_CASE("plain NDJSON records pass the quick check", "[produce]") {
    for (
        const std::string& line : std::vector<std::string>{
            R"({"user_id":"424cdd21","app_version":"2.3.0","locale":"RU","timestamp":"1694479551"})",
            R"({"a": 1, "b": [true, false, null], "c": {"d": -0.5, "e": ""}} )",
            R"( [1, "two\n\"quoted\"\\/", {}, [], 0] )", R"("just a string")", "42", "-0",
            "{\"tab\":\t\"x\"}\r", R"({"long":"0123456789012345678901234567890123456789"})"}) {
        INFO(line);
        CHECK(check(line) == QuickCheck::valid);
        CHECK(simdjson_accepts(line));
    }
}

TEST_CASE("invalid or unusual lines are left to simdjson", "[produce]") {
    for (const std::string& line : std::vector<std::string>{
             "",
             " ",
             "{",
             "}",
             R"({"a":1,})",
             R"([1,])",
             R"({"a" 1})",
             R"({a:1})",
             "01",
             "1.",
             "-",
             ".5",
             "+1",
             "1e5",
             "1E-2",
             "12345678901234567890",
             "tru",
             "truex",
             "nul",
             R"({"a":1}{"b":2})",
             R"({"a":1} x)",
             R"("unterminated)",
             R"("bad \x escape")",
             R"("\u00e9")",
             R"("\ud800")",
             "\"caf\xc3\xa9\"",
             "\"\xff\"",
             "\"tab\tinside\"",
             R"(NaN)",
             R"([Infinity])",
         }) {
        INFO(line);
        CHECK(check(line) == QuickCheck::unsure);
    }
    CHECK(check(std::string(100, '[') + std::string(100, ']')) == QuickCheck::unsure);  // deep
    CHECK(check(std::string(50, '[') + std::string(50, ']')) == QuickCheck::valid);
}

TEST_CASE("the quick check never accepts what simdjson refuses", "[produce]") {
    kpipe::generate::LoginEventGenerator generator(7, 1694479551);
    std::mt19937_64 random(7);
    const std::string alphabet = "{}[]:,\"\\ 0123456789.-eEtrufalsn\x01\x80";
    std::string key;
    std::string value;
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        generator.next(key, value);
        const int edits = static_cast<int>(random() % 3);
        for (int e = 0; e < edits; ++e) {
            const auto at = random() % value.size();
            switch (random() % 3) {
                case 0:
                    value[at] = alphabet[random() % alphabet.size()];
                    break;
                case 1:
                    value.erase(at, 1);
                    break;
                default:
                    value.insert(value.begin() + static_cast<std::ptrdiff_t>(at),
                                 alphabet[random() % alphabet.size()]);
            }
        }
        if (check(value) == QuickCheck::valid) {
            ++accepted;
            INFO(value);
            REQUIRE(simdjson_accepts(value));
        }
    }
    CHECK(accepted > 5000);  // the unedited third at least
}
