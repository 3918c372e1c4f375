#pragma once
// The checks that need only a metadata snapshot and the per-partition watermark probes: pure
// functions, so they are tested without a broker.

#include <optional>
#include <string>
#include <vector>

#include "kafka/metadata.hpp"
#include "topic_check/report.hpp"

namespace kpipe::topic_check {

struct Expectations {
    std::optional<int> partitions{};
    std::optional<int> replicas{};
    std::optional<int> min_isr{};
};

// `exists`: fails with the broker's reason when the topic is missing.
CheckResult check_exists(const kafka::TopicInfo& topic, const std::string& brokers);

// `partitions`, `replicas`, `under-replicated` and, with an expected minimum, `min-isr` (each
// partition's ISR size from metadata).
std::vector<CheckResult> check_metadata(const kafka::TopicInfo& topic,
                                        const Expectations& expected);

// `leaders`: every partition has a leader in metadata and that leader answered the watermark
// query (`partitions[i].unreachable` empty). The mock broker keeps listing a broker that is down.
CheckResult check_leaders(const std::vector<PartitionReport>& partitions);

// `watermarks`: records held per partition (high - low), over the partitions that answered.
CheckResult check_watermarks(const std::vector<PartitionReport>& partitions);

// `min-isr-config`: the topic's min.insync.replicas (from DescribeConfigs) equals the expected
// value; `config` is the value or the reason it could not be read (then the check is skipped).
CheckResult check_min_isr_config(int expected, const std::optional<std::string>& value,
                                 const std::string& unavailable_reason);

// "1, 4, 7": the partition numbers for a detail line.
std::string join_numbers(const std::vector<std::int32_t>& numbers);

}  // namespace kpipe::topic_check
