// The general path through Filter::apply (filters shaped for the fast path get a trailing
// `| [.][0]` where it matters, which means the same but keeps them on the general path).
#include "filter/evaluator.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "filter/json_reader.hpp"
#include "filter/parser.hpp"
#include "filter_test_support.hpp"

using kpipe::filter::testing::jq;
using kpipe::filter::testing::run_filter;

TEST_CASE("evaluator: paths and iteration", "[filter]") {
    const std::string doc = R"({"a":1,"b":{"c":[10,20,30]},"x y":true})";
    CHECK(jq(".a | [.][0]", doc) == "1");
    CHECK(jq(".b.c[1] | [.][0]", doc) == "20");
    CHECK(jq(".b.c[-1]", doc) == "30");
    CHECK(jq(".b.c[5], .b.c[1.5], .missing, .missing.deeper", doc) == "null\nnull\nnull\nnull");
    CHECK(jq(".\"x y\", .[\"x y\"]", doc) == "true\ntrue");
    CHECK(jq(".b.c[]", doc) == "10\n20\n30");
    CHECK(jq(".[]", R"({"b":1,"a":2})") == "1\n2");
    CHECK(jq(".a", "null") == "null");
    CHECK(jq(".a", "\"x\"") == "error: Cannot index string with string \"a\"");
    CHECK(jq(".[0]", R"({"a":1})") == "error: Cannot index object with number");
    CHECK(jq(".[]", "5") == "error: Cannot iterate over number (5)");
    CHECK(jq(".[]", "\"abcdefghijklmnop\"") ==
          "error: Cannot iterate over string (\"abcdefghij...)");
    CHECK(jq(".a?, .[]?, 1", "5") == "1");
    CHECK(jq(".a?.b", R"({"a":5})") == "error: Cannot index number with string \"b\"");
    CHECK(jq("[.[[1]]]", "[0,1,2,1]") == "[[1,3]]");
}

TEST_CASE("evaluator: generators combine in jq's order", "[filter]") {
    CHECK(jq("[(1,2) + (10,20)]", "null") == "[11,12,21,22]");
    CHECK(jq("[{a:(1,2), b:(3,4)}]", "null") ==
          R"([{"a":1,"b":3},{"a":1,"b":4},{"a":2,"b":3},{"a":2,"b":4}])");
    CHECK(jq("[(true,false) and (true,false)]", "null") == "[true,false,false]");
    CHECK(jq("[(true,false) or (true,false)]", "null") == "[true,true,false]");
    CHECK(jq("[.[0,1][0,1]]", "[[1,2],[3,4]]") == "[1,3,2,4]");
    CHECK(jq("[test(\"a\",\"A\"; \"g\",\"i\")]", "\"a\"") == "[true,false,true,true]");
}

TEST_CASE("evaluator: try and `?` catch their body's errors only, as jq 1.7 does", "[filter]") {
    CHECK(jq("[(1,error(\"x\"),3)?]", "null") == "[1]");
    CHECK(jq("(1,2)? | error(\"x\")", "null") == "error: x");
    CHECK(jq("[((1,2)? | (3, error(\"x\"))), 9]", "null") == "error: x");
    CHECK(jq(".a? | error(\"x\")", R"({"a":1})") == "error: x");
    CHECK(jq("try error(\"x\") catch ., try error({a: 1}) catch .a", "null") == "\"x\"\n1");
    CHECK(jq("[.[] | try (if . == 2 then error(\"no\") else . end) catch \"c\"]", "[1,2,3]") ==
          R"([1,"c",3])");
    // A try between the error and the try that wrapped it does not catch it.
    CHECK(jq("try ((try 1) | error(\"x\")) catch \"outer\"", "null") == "\"outer\"");
}

TEST_CASE("evaluator: object construction keeps order; duplicates keep the first position",
          "[filter]") {
    CHECK(jq("{b: 1, a: 2, b: 3}", "null") == R"({"b":3,"a":2})");
    CHECK(jq(".", R"({"a":1,"b":2,"a":3})") == R"({"a":3,"b":2})");
    CHECK(jq("del(.a) + {a: 5}", R"({"a":1,"b":2})") == R"({"b":2,"a":5})");
    CHECK(jq("{(.k): 1}", R"({"k":2})") == "error: Cannot use number (2) as object key");
    CHECK(jq("keys", R"({"b":1,"a":2,"B":3,"é":1})") == R"(["B","a","b","é"])");
}

TEST_CASE("evaluator: error payloads become messages; error(null) too, as in jq 1.7", "[filter]") {
    CHECK(jq("[1, error(null), 2]", "null") == "error: (not a string): null");
    CHECK(jq("try error(null) catch .", "null") == "null");
    CHECK(jq("error(\"boom\")", "null") == "error: boom");
    CHECK(jq("error", R"({"a":1})") == R"(error: (not a string): {"a":1})");
    CHECK(jq("error(\"two\\nlines\")", "null") == "error: two\\nlines");
    // A failing record yields no outputs, even those produced before the error.
    const auto run = run_filter("1, error(\"x\")", "null");
    CHECK(run.failed);
    CHECK(run.outputs.empty());
}

TEST_CASE("evaluator: arithmetic follows jq 1.6", "[filter]") {
    CHECK(jq("1 + 2 * 3, 10 / 4, 7 % 3, -7 % 3, 5.5 % 2", "null") == "7\n2.5\n1\n-1\n1");
    CHECK(jq("null + 1, \"a\" + \"b\", [1] + [2], {\"a\":1} + {\"b\":2}", "null") ==
          "1\n\"ab\"\n[1,2]\n{\"a\":1,\"b\":2}");
    CHECK(jq("[1,2,1] - [1]", "null") == "[2]");
    CHECK(jq("{\"a\":{\"b\":1}} * {\"a\":{\"c\":2}}", "null") == R"({"a":{"b":1,"c":2}})");
    CHECK(jq("\"ab\" * 3, \"ab\" * 0", "null") == "\"ababab\"\nnull");
    CHECK(jq("\"a,b\" / \",\"", "null") == R"(["a","b"])");
    CHECK(jq(". / 0", "1") ==
          "error: number (1) and number (0) cannot be divided because the divisor is zero");
    CHECK(jq("1 % 0", "null") ==
          "error: number (1) and number (0) cannot be divided (remainder) because the divisor is "
          "zero");
    CHECK(jq("{} - 1", "null") == "error: object ({}) and number (1) cannot be subtracted");
    CHECK(jq("-.", "\"a\"") == "error: string (\"a\") cannot be negated");
    CHECK(jq("1e308 * 10, 0.1 + 0.2", "null") == "1.7976931348623157e+308\n0.30000000000000004");
    CHECK(jq(". % -1", "-9223372036854775808") == "0");  // jq 1.6 traps here
}

TEST_CASE("evaluator: comparisons use jq's total order", "[filter]") {
    CHECK(jq("[.[] < 1]", R"([null,false,true,0,"",[],{}])") ==
          "[true,true,true,true,false,false,false]");
    CHECK(jq("{\"a\":1} < {\"b\":0}, [1,2] < [1,2,0], \"ab\" < \"b\", 1 == 1.0", "null") ==
          "true\ntrue\ntrue\ntrue");
    CHECK(jq("{\"a\":1,\"b\":2} == {\"b\":2,\"a\":1}", "null") == "true");
}

TEST_CASE("evaluator: functions", "[filter]") {
    CHECK(jq("[.[] | length]", R"([null,-5.5,"é😀",[1,2],{"a":1}])") == "[0,5.5,2,2,1]");
    CHECK(jq("length", "true") == "error: boolean (true) has no length");
    CHECK(jq("has(\"a\"), has(\"z\")", R"({"a":null})") == "true\nfalse");
    CHECK(jq("has(0), has(2)", "[1,2]") == "true\nfalse");
    CHECK(jq("has(\"a\")", "[1]") == "error: Cannot check whether array has a string key");
    CHECK(jq("[.[] | tostring]", R"([1.5,"x",null,{"a":[1]}])") ==
          R"(["1.5","x","null","{\"a\":[1]}"])");
    CHECK(jq("[.[] | tonumber]", R"(["1.50"," 7 ","1e2","nan"])") == "[1.5,7,100,null]");
    CHECK(jq("tonumber", "\"[1]\"") == "error: string (\"[1]\") cannot be parsed as a number");
    CHECK(jq("ascii_downcase, ascii_upcase", "\"AbÉ\"") == "\"abÉ\"\n\"ABÉ\"");
    CHECK(jq("startswith(\"a\"), endswith(\"c\"), ltrimstr(\"a\"), rtrimstr(\"c\")", "\"abc\"") ==
          "true\ntrue\n\"bc\"\n\"ab\"");
    CHECK(jq("ltrimstr(\"a\")", "1") == "1");
    CHECK(jq("startswith(1)", "\"a\"") == "error: startswith() requires string inputs");
    CHECK(jq("[.[] | type]", R"([null,true,1,"a",[],{}])") ==
          R"(["null","boolean","number","string","array","object"])");
    CHECK(jq("keys", "[5,6]") == "[0,1]");
    CHECK(jq("map(. + 1)", R"({"a":1,"b":2})") == "[2,3]");
    CHECK(jq("[.[] | select(. > 1)]", "[1,2,3]") == "[2,3]");
    CHECK(jq("[.[] | not]", R"([null,false,0])") == "[true,true,false]");
    CHECK(jq(".a // \"d\", (.b // \"d\")", R"({"a":false,"b":0})") == "\"d\"\n0");
    CHECK(jq("if .a then 1 elif .b then 2 else 3 end", R"({"b":1})") == "2");
}

TEST_CASE("evaluator: regular expressions on Oniguruma with jq's flags", "[filter]") {
    CHECK(jq("test(\"^a.c$\")", "\"abc\"") == "true");
    CHECK(jq("test(\"A\"), test(\"A\"; \"i\"), test(\"A\"; \"gil\")", "\"a\"") ==
          "false\ntrue\ntrue");
    CHECK(jq("test(\"a$\")", "\"a\\n\"") == "true");  // Oniguruma's $ before a final newline
    CHECK(jq("test(\"a.b\"; \"p\")", "\"a\\nb\"") == "true");
    CHECK(jq("test(\"a b\"; \"x\")", "\"ab\"") == "true");
    CHECK(jq("test(\"(ab)\\\\1\")", "\"abab\"") == "true");
    CHECK(jq("test(\"a\"; \"q\")", "\"a\"") == "error: q is not a valid modifier string");
    CHECK(jq("test(\"(\")", "\"a\"").find("error: ( (at offset 0) is not a valid regex: ") == 0);
    CHECK(jq("test(\"a\")", "1") == "error: number (1) cannot be matched, as it is not a string");
    CHECK(jq("[match(\"a(?<n>b)?\"; \"g\") | .captures[0].name]", "\"ab a\"") ==
          R"(["n","n"])");
    CHECK(jq("capture(\"(?<y>\\\\d+)-(?<m>\\\\d+)\")", "\"2024-05\"") ==
          R"({"y":"2024","m":"05"})");
    CHECK(jq("gsub(\"(?<d>\\\\d)\"; \"<\\(.d)>\")", "\"a1b2\"") == R"("a<1>b<2>")");
    CHECK(jq("[scan(\"c\")], split(\", *\"; null)", "\"a, b,c\"") ==
          "[\"c\"]\n[\"a\",\"b\",\"c\"]");
}

TEST_CASE("evaluator: dates", "[filter]") {
    CHECK(jq("[.[] | todate]", "[0,1425599621.9,-1.5]") ==
          R"(["1970-01-01T00:00:00Z","2015-03-05T23:53:41Z","1969-12-31T23:59:59Z"])");
    CHECK(jq("fromdate", "\"2015-03-05T23:51:47Z\"") == "1425599507");
    CHECK(jq("fromdate", "\"2015-03-05T23:51:47.1Z\"") ==
          "error: date \"2015-03-05T23:51:47.1Z\" does not match format \"%Y-%m-%dT%H:%M:%SZ\"");
    CHECK(jq("todate", "1e20") ==
          "error: errror converting number of seconds since epoch to datetime");
}

TEST_CASE("evaluator: del", "[filter]") {
    CHECK(jq("del(.a, .c[0])", R"({"a":1,"b":2,"c":[1,2]})") == R"({"b":2,"c":[2]})");
    CHECK(jq("del(.[0,2])", "[1,2,3,4]") == "[2,4]");
    CHECK(jq("del(.[] | select(. > 1))", "[1,2,3,1]") == "[1,1]");
    CHECK(jq("del(.a.b)", R"({"a":null})") == R"({"a":null})");
    CHECK(jq("del(.)", "[1]") == "null");
    CHECK(jq("del(1)", "[1]") == "error: Invalid path expression with result 1");
    CHECK(jq("del(.a)", "5") == "error: Cannot index number with string \"a\"");
}

TEST_CASE("evaluator: input numbers keep their text unless computed (documented difference)",
          "[filter]") {
    CHECK(jq(".", "[1.0, 1e2, -0, 100000000000000000001, 1E400]") ==
          "[1.0,1e2,-0,100000000000000000001,1E400]");
    CHECK(jq("{a} | [.][0]", R"({"a":1.50})") == R"({"a":1.50})");
    CHECK(jq(".a | tostring", R"({"a":1.50})") == "\"1.50\"");
    CHECK(jq(".a + 0, -.a, .a * 1", R"({"a":1.50})") == "1.5\n-1.5\n1.5");
    CHECK(jq(".[0] == .[1]", "[100000000000000000001, 100000000000000000000]") == "true");
}

TEST_CASE("evaluator: input that is not exactly one valid document is invalid_json", "[filter]") {
    const auto invalid = [](std::string_view document) {
        const auto run = run_filter("[.][0]", document);
        INFO(document);
        CHECK(run.failed);
        CHECK(run.failure_kind == kpipe::filter::FailureKind::invalid_json);
        CHECK(run.outputs.empty());
        CHECK(run.message.find('\n') == std::string::npos);
        return run.message;
    };
    invalid("");
    invalid("   ");
    invalid("{\"a\":1");
    invalid("{\"a\":1}}");
    invalid("[1,]");
    invalid("[01]");
    invalid("[1.]");
    invalid("[-]");
    invalid("[tru]");
    invalid("[NaN]");
    invalid("nan");
    invalid("1 2");
    CHECK(invalid("not json").find("extra JSON values") == std::string::npos);
    invalid("{} {}");
    invalid("\"\\ud800\"");
    invalid("\"\\q\"");
    CHECK(invalid("\"\xff\"") == "invalid JSON: The input is not valid UTF-8");
    invalid(std::string("\"a\x01\""));
    CHECK(invalid(std::string(100000, '[')) == "invalid JSON: Exceeds depth limit for parsing");
    CHECK(invalid(std::string(257, '[') + std::string(257, ']')) ==
          "invalid JSON: Exceeds depth limit for parsing");
    CHECK(jq("length", std::string(256, '[') + std::string(256, ']')) == "1");
    CHECK(jq(".", "  {\"a\" : [ 1 , 2 ] }\n") == R"({"a":[1,2]})");
}

TEST_CASE("evaluator: runtime recursion is bounded", "[filter]") {
    CHECK(jq("def f: f; f", "null").find("error: filter evaluation nested too deeply") == 0);
    CHECK(jq("[range(1e12)] | length", "null").find("steps on one record") != std::string::npos);
    // A deep value built by the filter itself is still printed (no recursion limit on output).
    std::string filter;
    for (int i = 0; i < 200; ++i) filter += "[";
    filter += "1";
    for (int i = 0; i < 200; ++i) filter += "]";
    CHECK(jq(filter, "null").size() == 401);
}
