#include "filter/regex.hpp"

#include <catch2/catch.hpp>

#include <string>

using kpipe::filter::parse_regex_flags;
using kpipe::filter::RegexCache;
using kpipe::filter::RegexFlags;
using kpipe::filter::translate_oniguruma_pattern;

TEST_CASE("regex: jq's modifiers", "[filter]") {
    CHECK(parse_regex_flags("").problem == RegexFlags::Problem::none);
    CHECK(parse_regex_flags("gls").problem == RegexFlags::Problem::none);
    CHECK(parse_regex_flags("i").case_insensitive);
    CHECK(parse_regex_flags("p").dot_matches_newline);
    const RegexFlags extended = parse_regex_flags("gx");
    CHECK(extended.problem == RegexFlags::Problem::unsupported);
    CHECK(extended.message == "regex flag \"x\" (extended syntax)");
    CHECK(parse_regex_flags("n").problem == RegexFlags::Problem::unsupported);
    const RegexFlags invalid = parse_regex_flags("iq");
    CHECK(invalid.problem == RegexFlags::Problem::invalid);
    CHECK(invalid.message == "iq is not a valid modifier string");
}

TEST_CASE("regex: Oniguruma classes and anchors become RE2", "[filter]") {
    CHECK(translate_oniguruma_pattern("a\\d+") == "a\\p{Nd}+");
    CHECK(translate_oniguruma_pattern("[\\d_]") == "[\\p{Nd}_]");
    CHECK(translate_oniguruma_pattern("\\w") == "[\\p{L}\\p{M}\\p{N}\\p{Pc}]");
    CHECK(translate_oniguruma_pattern("x$") == "x(?:\\n?\\z)");
    CHECK(translate_oniguruma_pattern("[$]") == "[$]");
    CHECK(translate_oniguruma_pattern("\\$") == "\\$");
    CHECK(translate_oniguruma_pattern("\\\\d") == "\\\\d");
    CHECK(translate_oniguruma_pattern("[]d]\\d") == "[]d]\\p{Nd}");
    CHECK(translate_oniguruma_pattern("[[:alpha:]]$") == "[[:alpha:]](?:\\n?\\z)");
}

TEST_CASE("regex: matching and errors", "[filter]") {
    RegexCache cache;
    std::string error;
    CHECK(cache.search("^c.t$", {}, "cat", error) == true);
    CHECK(cache.search("^C", {}, "cat", error) == false);
    RegexFlags insensitive;
    insensitive.case_insensitive = true;
    CHECK(cache.search("^C", insensitive, "cat", error) == true);
    CHECK(cache.search("é", insensitive, "É", error) == true);
    CHECK(cache.search("\\d", {}, "٣", error) == true);
    CHECK(cache.search("a$", {}, "a\n", error) == true);
    CHECK(cache.search("a$", {}, "a\n\n", error) == false);
    CHECK_FALSE(cache.search("(", {}, "a", error).has_value());
    CHECK(error.find("( (at offset 0) is not a valid regex: ") == 0);
    CHECK_FALSE(cache.search("(a)\\1", {}, "aa", error).has_value());  // no backreferences in RE2
}
