#pragma once
// `kpipe broker`: a development Kafka cluster in this process, until SIGINT/SIGTERM.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "broker/fault_spec.hpp"
#include "common/expected.hpp"

namespace kpipe::broker {

struct TopicSpec {
    std::string name{};
    int partitions = 1;
    std::optional<int> replicas{};  // default: min(broker count, 3)
};

// "NAME", "NAME:PARTITIONS" or "NAME:PARTITIONS:REPLICAS".
Expected<TopicSpec> parse_topic_spec(std::string_view text);

struct BrokerOptions {
    int broker_count = 1;
    std::vector<TopicSpec> topics{};
    std::optional<std::string> bootstrap_file{};
    bool control = false;         // read control commands from stdin, answer on `out`
    std::vector<Fault> faults{};  // --fault, scheduled from the start
};

// Starts the cluster, creates the topics, writes the bootstrap list to `out` (one line, flushed)
// and to the bootstrap file (atomically, so a reader never sees half a line), then waits for a
// stop signal. With `control`, it also reads control commands (fault specs, see fault_spec.hpp)
// from stdin and answers each with one line on `out`: "ok" or "error: ...". Each fault is
// reported on `fault_log` as it fires. Signal handlers must already be installed.
Status run_embedded_broker(const BrokerOptions& options, std::ostream& out,
                           std::ostream& fault_log);

}  // namespace kpipe::broker
