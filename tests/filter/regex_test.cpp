#include "filter/regex.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "filter/builtins.hpp"
#include "filter/json_writer.hpp"

using kpipe::filter::FilterError;
using kpipe::filter::RegexCache;
using kpipe::filter::to_json;
using kpipe::filter::Value;

namespace {

std::string matches(RegexCache& cache, const std::string& text, const std::string& re,
                    const Value& flags = Value()) {
    return to_json(cache.match(Value::string(text), Value::string(re), flags, false));
}

std::string error_of(RegexCache& cache, const Value& text, const Value& re, const Value& flags) {
    try {
        cache.match(text, re, flags, true);
    } catch (const FilterError& e) {
        return e.payload.as_string();
    }
    return "";
}

}  // namespace

TEST_CASE("regex: jq's modifiers", "[filter]") {
    RegexCache cache;
    CHECK(cache.match(Value::string("ABC"), Value::string("b"), Value::string("i"), true).truthy());
    CHECK(!cache.match(Value::string("ABC"), Value::string("b"), Value(), true).truthy());
    CHECK(cache.match(Value::string("ab"), Value::string("a b"), Value::string("x"), true)
              .truthy());
    CHECK(error_of(cache, Value::string("a"), Value::string("a"), Value::string("q")) ==
          "q is not a valid modifier string");
}

TEST_CASE("regex: match objects count code points, captures carry names", "[filter]") {
    RegexCache cache;
    CHECK(matches(cache, "żab", "b") ==
          R"([{"offset":2,"length":1,"string":"b","captures":[]}])");
    CHECK(matches(cache, "ab", "(?<x>a)(c)?") ==
          R"([{"offset":0,"length":1,"string":"a","captures":[)"
          R"({"offset":0,"length":1,"string":"a","name":"x"},)"
          R"({"offset":-1,"string":null,"length":0,"name":null}]}])");
    CHECK(matches(cache, "a1b22", "\\d+", Value::string("g")) ==
          R"([{"offset":1,"length":1,"string":"1","captures":[]},)"
          R"({"offset":3,"length":2,"string":"22","captures":[]}])");
}

TEST_CASE("regex: Oniguruma's own syntax: look-around and back-references", "[filter]") {
    RegexCache cache;
    CHECK(cache.match(Value::string("foobar"), Value::string("foo(?=bar)"), Value(), true).truthy());
    CHECK(cache.match(Value::string("abab"), Value::string("(ab)\\1"), Value(), true).truthy());
}

TEST_CASE("regex: errors", "[filter]") {
    RegexCache cache;
    CHECK(error_of(cache, Value::number(1), Value::string("a"), Value()) ==
          "number (1) cannot be matched, as it is not a string");
    CHECK(error_of(cache, Value::string("a"), Value::number(1), Value()) ==
          "number (1) is not a string");
    CHECK(error_of(cache, Value::string("a"), Value::string("("), Value()).find(
              "is not a valid regex") != std::string::npos);
}
