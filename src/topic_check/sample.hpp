#pragma once
// `--sample N [--schema FILE]`: the last N records of each partition, read by assignment, must
// each be one valid JSON document (matching the schema's subset when given).

#include <string>
#include <vector>

#include "config/client_settings.hpp"
#include "topic_check/deadline.hpp"
#include "topic_check/report.hpp"
#include "topic_check/schema.hpp"

namespace kpipe::topic_check {

// `sample`: reads the last `count` records of every partition whose watermarks are known.
CheckResult check_sample(const config::ClientSettings& settings, const std::string& topic,
                         const std::vector<PartitionReport>& partitions, int count,
                         const JsonSchema* schema, const Deadline& deadline);

}  // namespace kpipe::topic_check
