#pragma once
// `kpipe broker`: a development Kafka cluster in this process, until SIGINT/SIGTERM.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace kpipe::broker {

struct TopicSpec {
    std::string name;
    int partitions = 1;
};

// "NAME" or "NAME:PARTITIONS".
Expected<TopicSpec> parse_topic_spec(std::string_view text);

struct BrokerOptions {
    int broker_count = 1;
    std::vector<TopicSpec> topics;
    std::optional<std::string> bootstrap_file;
};

// Starts the cluster, creates the topics, writes the bootstrap list to `out` (one line, flushed)
// and to the bootstrap file (atomically, so a reader never sees half a line), then waits for a
// stop signal. Signal handlers must already be installed.
Status run_embedded_broker(const BrokerOptions& options, std::ostream& out);

}  // namespace kpipe::broker
