#include "replay/dry_run_report.hpp"

#include <catch2/catch.hpp>

using kpipe::replay::DryRunReport;

TEST_CASE("the dry-run report groups by target and message with one line each", "[replay]") {
    DryRunReport report;
    report.add("orders", std::string_view("bad\nvalue"));
    report.add("clicks", std::nullopt);
    report.add("orders", std::string_view("bad\nvalue"));
    report.add("orders", std::string_view("other"));
    CHECK(report.text() ==
          "1\tclicks\t(no error message)\n"
          "2\torders\tbad value\n"
          "1\torders\tother\n");
}
