#pragma once
// Where a dead-lettered record came from and why, read from the headers of the four
// dead-letter conventions replay-dlq understands, and the headers a replayed record carries.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "record/record.hpp"

namespace kpipe::replay {

// kpipe writes Kafka Connect's headers, so both are `connect`.
enum class Convention { connect, streams, spring };

std::string_view convention_name(Convention convention);

struct Origin {
    Convention convention = Convention::connect;
    std::string topic;
    std::optional<std::int32_t> partition;
    std::optional<std::int64_t> offset;
};

// The origin from the first convention whose topic header is present (Connect/kpipe, then
// Streams, then Spring); nullopt when none is. A partition or offset header of that convention
// that cannot be read (not a decimal string; for Spring not a 4-byte or 8-byte big-endian
// integer) is an error naming the header.
Expected<std::optional<Origin>> find_origin(std::span<const record::HeaderView> headers);

// The exception message of any convention, if one is present.
std::optional<std::string_view> error_message(std::span<const record::HeaderView> headers);

// Headers stripped from a replayed record unless --keep-headers.
bool is_error_header(std::string_view name);

inline constexpr std::string_view kReplayCountHeader = "kpipe-replay-count";

// How often the record was replayed before: 0 without the header; an error for a value that
// is not a decimal count.
Expected<std::uint32_t> replay_count(std::span<const record::HeaderView> headers);

// Builds the headers of a replayed record; reuses its buffers across records.
class ReplayHeaders {
  public:
    // The original headers in order, without the error headers (unless `keep_error_headers`)
    // and without an earlier replay count, then `kpipe-replay-count: count`. The result points
    // into `original` and into this object; valid until the next call.
    std::span<const record::HeaderView> build(std::span<const record::HeaderView> original,
                                              bool keep_error_headers, std::uint32_t count);

  private:
    std::string count_text_;
    std::vector<record::HeaderView> headers_;
};

}  // namespace kpipe::replay
