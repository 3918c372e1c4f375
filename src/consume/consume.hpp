#pragma once
// `kpipe consume`: records from topics to stdout, one line each (value or envelope).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "consume/offset_spec.hpp"

namespace kpipe::consume {

struct ConsumeOptions {
    std::vector<std::string> topics;
    bool envelope = false;
    std::optional<OffsetSpec> offset;  // default: beginning, or stored with a group
    bool exit_at_end = false;
    std::optional<std::uint64_t> count;
    std::optional<std::string> group;
    std::vector<std::int32_t> partitions;  // empty: all
    std::chrono::milliseconds timeout{10000};
};

struct ConsumeSummary {
    std::uint64_t records = 0;
    bool output_closed = false;  // the reader went away (e.g. `| head`): not an error
    double seconds = 0;
};

Expected<ConsumeSummary> run_consume(const ConsumeOptions& options,
                                     const config::ClientSettings& settings);

}  // namespace kpipe::consume
