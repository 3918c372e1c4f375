#pragma once
// `--roundtrip N`: canary records produced to every partition and read back by assignment,
// checked for loss, duplication and alteration, with produce-ack and round-trip latency.

#include <optional>
#include <string>
#include <vector>

#include "config/client_settings.hpp"
#include "kafka/topic_partition.hpp"
#include "topic_check/deadline.hpp"
#include "topic_check/report.hpp"

namespace kpipe::topic_check {

// The header that tags a canary: "RUN_ID:SEQ".
inline constexpr const char* canary_header = "kpipe-canary";

// The canary's value: {"kpipe_canary":"RUN_ID","seq":SEQ}.
std::string canary_value(const std::string& run_id, std::uint64_t seq);

// Sends `per_partition` canaries to each partition of `starts` (whose offsets are the high
// watermarks read before producing) and reads them back from there, until all came back or the
// deadline passed.
RoundtripReport run_roundtrip(const config::ClientSettings& settings, const std::string& topic,
                              const std::vector<kafka::TopicPartition>& starts, int per_partition,
                              const Deadline& deadline);

// `roundtrip` (none lost, duplicated or altered) and `latency` (round-trip p99 within
// `max_latency_ms`; skipped without a bound).
std::vector<CheckResult> roundtrip_checks(const RoundtripReport& report,
                                          std::optional<double> max_latency_ms);

}  // namespace kpipe::topic_check
