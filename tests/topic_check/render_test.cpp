#include "topic_check/render.hpp"

#include <catch2/catch.hpp>

using namespace kpipe::topic_check;

namespace {

Report sample_report() {
    TopicReport topic{"a\"<b>&'"};
    topic.checks = {{"exists", CheckStatus::pass, "topic exists"},
                    {"partitions", CheckStatus::fail, "expected \"6\"\n<found> 4 & \x01"},
                    {"min-isr-config", CheckStatus::skipped, "no DescribeConfigs"}};
    topic.partitions = {{0, 1, {1, 2}, {1}, 0, 5}, {1, -1, {1}, {}, {}, {}, "no answer"}};
    return Report{{topic}};
}

}  // namespace

TEST_CASE("failures are named one per line", "[topic_check]") {
    const auto report = sample_report();
    CHECK_FALSE(report.ok());
    CHECK(failure_lines(report) ==
          std::vector<std::string>{"a\"<b>&': partitions: expected \"6\"\n<found> 4 & \x01"});
}

TEST_CASE("JSON rendering escapes and keeps the documented shape", "[topic_check]") {
    CHECK(render_json(sample_report()) ==
          R"({"ok":false,"topics":[{"topic":"a\"<b>&'","checks":[)"
          R"({"name":"exists","status":"pass","detail":"topic exists"},)"
          R"({"name":"partitions","status":"fail","detail":"expected \"6\"\n<found> 4 & \u0001"},)"
          R"({"name":"min-isr-config","status":"skipped","detail":"no DescribeConfigs"}],)"
          R"("partitions":[{"partition":0,"leader":1,"replicas":[1,2],"isr":[1],"low":0,"high":5},)"
          R"({"partition":1,"leader":-1,"replicas":[1],"isr":[],"low":null,"high":null}]}]})"
          "\n");
}

TEST_CASE("JUnit rendering escapes XML and marks failures and skips", "[topic_check]") {
    CHECK(xml_escape("a&b<c>\"d'\te\x01") == "a&amp;b&lt;c&gt;&quot;d&apos;\te\xEF\xBF\xBD");
    const auto xml = render_junit(sample_report());
    CHECK_THAT(xml, Catch::Contains(R"(<testsuite name="a&quot;&lt;b&gt;&amp;&apos;" tests="3" )"
                                    R"(failures="1" errors="0" skipped="1">)"));
    CHECK_THAT(xml, Catch::Contains(R"(<failure message="expected &quot;6&quot;)"));
    CHECK_THAT(xml, Catch::Contains(R"(<skipped message="no DescribeConfigs"/>)"));
}

TEST_CASE("the table has one row per topic and check", "[topic_check]") {
    const auto table = render_table(sample_report());
    CHECK_THAT(table, Catch::Contains("SKIPPED"));
    CHECK(std::count(table.begin(), table.end(), '\n') == 5);  // header, 3 rows, 1 in a detail
}
