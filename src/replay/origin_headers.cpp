#include "replay/origin_headers.hpp"

#include <array>
#include <charconv>

namespace kpipe::replay {
namespace {

struct HeaderNames {
    Convention convention;
    std::string_view topic;
    std::string_view partition;
    std::string_view offset;
};

constexpr std::array<HeaderNames, 3> kConventions = {{
    {Convention::connect, "__connect.errors.topic", "__connect.errors.partition",
     "__connect.errors.offset"},
    {Convention::streams, "__streams.errors.topic", "__streams.errors.partition",
     "__streams.errors.offset"},
    {Convention::spring, "kafka_dlt-original-topic", "kafka_dlt-original-partition",
     "kafka_dlt-original-offset"},
}};

constexpr std::array<std::string_view, 4> kMessageHeaders = {
    "__connect.errors.exception.message", "__streams.errors.exception.message",
    "__streams.errors.message", "kafka_dlt-exception-message"};

constexpr std::array<std::string_view, 3> kErrorHeaderPrefixes = {
    "__connect.errors.", "__streams.errors.", "kafka_dlt-"};

// The value of the last header with this name (a later header overrides an earlier one, as in
// Kafka's Headers.lastHeader); nullopt when absent or null.
std::optional<std::string_view> last_value(std::span<const record::HeaderView> headers,
                                           std::string_view name) {
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
        if (it->name == name) return it->value;
    }
    return std::nullopt;
}

template <class Integer>
std::optional<Integer> parse_decimal(std::string_view text) {
    Integer value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

template <class Integer>
std::optional<Integer> parse_big_endian(std::string_view bytes) {
    if (bytes.size() != sizeof(Integer)) return std::nullopt;
    std::uint64_t value = 0;
    for (const char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
    return static_cast<Integer>(value);
}

template <class Integer>
Expected<std::optional<Integer>> read_number(std::span<const record::HeaderView> headers,
                                             std::string_view name, Convention convention) {
    const auto value = last_value(headers, name);
    if (!value) return std::optional<Integer>{};
    const auto number = convention == Convention::spring ? parse_big_endian<Integer>(*value)
                                                         : parse_decimal<Integer>(*value);
    if (!number || *number < 0) {
        const std::string expected =
            convention == Convention::spring
                ? "a " + std::to_string(sizeof(Integer)) + "-byte big-endian integer"
                : "a decimal string";
        return Error{"header " + std::string(name) + " holds " + std::to_string(value->size()) +
                     " bytes that are not " + expected};
    }
    return number;
}

}  // namespace

std::string_view convention_name(Convention convention) {
    switch (convention) {
        case Convention::connect:
            return "connect";
        case Convention::streams:
            return "streams";
        case Convention::spring:
            return "spring";
    }
    return "unknown";
}

Expected<std::optional<Origin>> find_origin(std::span<const record::HeaderView> headers) {
    for (const auto& names : kConventions) {
        const auto topic = last_value(headers, names.topic);
        if (!topic || topic->empty()) continue;
        Origin origin{names.convention, std::string(*topic), std::nullopt, std::nullopt};
        auto partition = read_number<std::int32_t>(headers, names.partition, names.convention);
        if (!partition) return partition.error();
        auto offset = read_number<std::int64_t>(headers, names.offset, names.convention);
        if (!offset) return offset.error();
        origin.partition = *partition;
        origin.offset = *offset;
        return std::optional<Origin>(std::move(origin));
    }
    return std::optional<Origin>{};
}

std::optional<std::string_view> error_message(std::span<const record::HeaderView> headers) {
    for (const auto name : kMessageHeaders) {
        if (auto value = last_value(headers, name)) return value;
    }
    return std::nullopt;
}

bool is_error_header(std::string_view name) {
    for (const auto prefix : kErrorHeaderPrefixes) {
        if (name.starts_with(prefix)) return true;
    }
    return false;
}

Expected<std::uint32_t> replay_count(std::span<const record::HeaderView> headers) {
    bool present = false;
    for (const auto& header : headers) present = present || header.name == kReplayCountHeader;
    if (!present) return 0u;
    const auto value = last_value(headers, kReplayCountHeader);
    const auto count = value ? parse_decimal<std::uint32_t>(*value) : std::nullopt;
    if (!count) {
        return Error{"header " + std::string(kReplayCountHeader) +
                     " is not a decimal count, so how often the record was replayed is unknown"};
    }
    return *count;
}

std::span<const record::HeaderView> ReplayHeaders::build(
    std::span<const record::HeaderView> original, bool keep_error_headers, std::uint32_t count) {
    count_text_ = std::to_string(count);
    headers_.clear();
    for (const auto& header : original) {
        if (header.name == kReplayCountHeader) continue;
        if (!keep_error_headers && is_error_header(header.name)) continue;
        headers_.push_back(header);
    }
    headers_.push_back({kReplayCountHeader, count_text_});
    return headers_;
}

}  // namespace kpipe::replay
