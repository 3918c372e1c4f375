#pragma once
// `kpipe broker`: a development Kafka cluster in this process, until SIGINT/SIGTERM.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace kpipe::broker {

struct TopicSpec {
    std::string name{};
    int partitions = 1;
    std::optional<int> replicas{};  // default: min(broker count, 3)
};

// "NAME", "NAME:PARTITIONS" or "NAME:PARTITIONS:REPLICAS".
Expected<TopicSpec> parse_topic_spec(std::string_view text);

// A fault-injection command read from the control channel (--control), one per line.
struct ControlCommand {
    enum class Action { down, up, rtt };
    Action action = Action::down;
    std::int32_t broker_id = 0;
    int rtt_ms = 0;
};

// "down ID", "up ID" or "rtt ID MS".
Expected<ControlCommand> parse_control_command(std::string_view line);

struct BrokerOptions {
    int broker_count = 1;
    std::vector<TopicSpec> topics{};
    std::optional<std::string> bootstrap_file{};
    bool control = false;  // read control commands from stdin, answer on `out`
};

// Starts the cluster, creates the topics, writes the bootstrap list to `out` (one line, flushed)
// and to the bootstrap file (atomically, so a reader never sees half a line), then waits for a
// stop signal. With `control`, it also reads control commands from stdin and answers each with
// one line on `out`: "ok" or "error: ...". Signal handlers must already be installed.
Status run_embedded_broker(const BrokerOptions& options, std::ostream& out);

}  // namespace kpipe::broker
