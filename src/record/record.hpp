#pragma once
// The Kafka record as kpipe sees it, independent of librdkafka's types.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kpipe::record {

enum class TimestampType { not_available, create_time, log_append_time };

struct HeaderView {
    std::string_view name;
    std::optional<std::string_view> value;  // nullopt: a header with a null value
};

// Non-owning view of a record; what encoders read. Valid while the bytes it points at live.
struct RecordView {
    std::string_view topic;
    std::int32_t partition = -1;  // -1: unassigned (let the partitioner choose)
    std::int64_t offset = -1;
    std::int64_t timestamp_ms = -1;  // -1: none
    TimestampType timestamp_type = TimestampType::not_available;
    std::optional<std::string_view> key;    // nullopt: null key
    std::optional<std::string_view> value;  // nullopt: null value (tombstone)
    std::span<const HeaderView> headers;
};

struct Header {
    std::string name;
    std::optional<std::string> value;
};

// Owning record; what decoders fill. Reusing one Record across decodes reuses its buffers.
struct Record {
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::int64_t timestamp_ms = -1;
    TimestampType timestamp_type = TimestampType::not_available;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<Header> headers;
};

}  // namespace kpipe::record
