#pragma once
// The report as a readable table, one JSON document, or JUnit XML for CI.

#include <string>
#include <string_view>

#include "topic_check/report.hpp"

namespace kpipe::topic_check {

// One row per (topic, check): TOPIC, CHECK, STATUS (PASS/FAIL/SKIPPED), DETAIL.
std::string render_table(const Report& report);

// {"ok":..,"topics":[{"topic":..,"checks":[..],"partitions":[..],"roundtrip":{..},"lag":[..]}]}
std::string render_json(const Report& report);

// One testsuite per topic, one testcase per check; <failure>/<skipped> with the detail.
std::string render_junit(const Report& report);

// Text safe inside an XML attribute or element: & < > " ' escaped, characters XML 1.0 cannot
// hold replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace kpipe::topic_check
