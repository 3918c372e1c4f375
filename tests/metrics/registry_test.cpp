#include "metrics/registry.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kpipe::metrics;

TEST_CASE("label values escape backslash, quote and newline") {
    CHECK(escape_label_value(R"(a\b"c)"
                             "\n") == R"(a\\b\"c\n)");
    CHECK(escape_label_value("plain") == "plain");
    CHECK(escape_help("two\nlines \\") == "two\\nlines \\\\");
}

TEST_CASE("samples render with labels in the text format") {
    TextWriter writer;
    writer.family("kpipe_records_in_total", "counter", "Records read");
    writer.sample("kpipe_records_in_total", {{"subcommand", "trans\"form"}}, 42);
    writer.sample("kpipe_ready", {}, 0.5);
    CHECK(writer.text() ==
          "# HELP kpipe_records_in_total Records read\n"
          "# TYPE kpipe_records_in_total counter\n"
          "kpipe_records_in_total{subcommand=\"trans\\\"form\"} 42\n"
          "kpipe_ready 0.5\n");
}

TEST_CASE("values are spelled as Prometheus parses them") {
    CHECK(format_value(3) == "3");
    CHECK(format_value(0.0025) == "0.0025");
    CHECK(format_value(1.0 / 0.0) == "+Inf");
    CHECK(format_value(0.0 / 0.0) == "NaN");
}

TEST_CASE("histogram buckets are cumulative and end in +Inf") {
    Histogram histogram;
    histogram.observe(0.0004);  // first bucket
    histogram.observe(0.001);   // exactly on a bound: le is inclusive
    histogram.observe(0.2);
    histogram.observe(120);  // beyond the last bound
    histogram.observe(-1);   // clock skew counts as zero
    const auto cumulative = histogram.cumulative();
    CHECK(cumulative[0] == 2);                              // le=0.0005: 0.0004 and the skewed one
    CHECK(cumulative[1] == 3);                              // le=0.001
    CHECK(cumulative[8] == 4);                              // le=0.25
    CHECK(cumulative[Histogram::kBounds.size() - 1] == 4);  // le=60
    CHECK(cumulative.back() == 5);                          // +Inf
    CHECK(histogram.count() == 5);
    CHECK(histogram.sum() == Approx(120.2014));

    TextWriter writer;
    writer.histogram("kpipe_x_seconds", {{"subcommand", "produce"}}, histogram);
    const auto& text = writer.text();
    CHECK(text.find("kpipe_x_seconds_bucket{subcommand=\"produce\",le=\"0.001\"} 3\n") !=
          std::string::npos);
    CHECK(text.find("kpipe_x_seconds_bucket{subcommand=\"produce\",le=\"+Inf\"} 5\n") !=
          std::string::npos);
    CHECK(text.find("kpipe_x_seconds_count{subcommand=\"produce\"} 5\n") != std::string::npos);
    CHECK(text.find("kpipe_x_seconds_sum{subcommand=\"produce\"} 120.2014\n") != std::string::npos);
}
