#pragma once
// What becomes of one dead-letter record: replayed (where to, with which value), skipped by the
// user's selection, or left in place (over the replay limit, nowhere to send it). The same
// decision serves the replay and its dry run.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "filter/filter.hpp"
#include "record/record.hpp"
#include "replay/origin_headers.hpp"
#include "replay/replay_dlq.hpp"

namespace kpipe::replay {

enum class Fate {
    replay,
    skipped,       // --since/--until, --error-contains, --where, or a FILTER with no output
    filter_error,  // the value is not JSON, or --where/FILTER failed on it
    over_limit,    // replayed --max-replays times already (or the count is unreadable)
    unroutable,    // no usable origin headers and no --to
};

struct Decision {
    Fate fate = Fate::skipped;
    std::string_view target;      // replay: the topic
    std::int32_t partition = -1;  // replay: -1 lets the partitioner choose
    std::uint32_t next_count = 0;
    std::string reason;                             // why it is left in place or failed
    std::optional<std::string_view> error_message;  // from the dead-letter headers
};

class ReplayPlanner {
  public:
    // Compiles --where and FILTER: a bad one is a usage error.
    static Expected<ReplayPlanner> create(const ReplayOptions& options);

    // Decides the fate of `record`; valid until the next call (points into `record`).
    const Decision& decide(const record::RecordView& record);

    // After a replay decision: how many records to send, and each one.
    std::size_t output_count() const;
    record::RecordView output(const record::RecordView& input, std::size_t index);

  private:
    ReplayPlanner(const ReplayOptions& options, std::optional<filter::Filter> where,
                  std::optional<filter::Filter> transform)
        : options_(&options), where_(std::move(where)), transform_(std::move(transform)) {}

    // Runs `filter` on the value; false (with decision_ set) when the record goes no further.
    bool apply(filter::Filter& filter, const record::RecordView& record, const char* what);

    const ReplayOptions* options_;
    std::optional<filter::Filter> where_;
    std::optional<filter::Filter> transform_;
    filter::FilterOutputs outputs_;
    ReplayHeaders headers_;
    std::string origin_topic_;
    Decision decision_;
};

}  // namespace kpipe::replay
