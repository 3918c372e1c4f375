#pragma once
// Log lines on stderr, as text ("kpipe SUBCOMMAND: message", the default) or as one JSON object
// per line for log pipelines. Call sites attach fields (topic, partition, offset, error, ...)
// that JSON lines carry as keys and text lines leave to the message.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kpipe::log {

enum class Format { text, json };

// "text" or "json"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);

struct Field {
    std::string name;
    std::variant<std::string, std::int64_t, std::uint64_t, double, bool> value;
};
using Fields = std::vector<Field>;

// topic, partition and offset of a record, the fields a log pipeline joins on.
Fields record_fields(std::string_view topic, std::int32_t partition, std::int64_t offset);

// Appends seconds, records_per_second and interrupted: how a run's summary ends.
void append_throughput(Fields& fields, std::uint64_t records, double seconds, bool interrupted);

// One JSON line (with its '\n'): time (RFC 3339 UTC, milliseconds), level, subcommand, message,
// then the fields in order.
std::string json_line(std::chrono::system_clock::time_point time, std::string_view level,
                      std::string_view subcommand, std::string_view message, const Fields& fields);

// Installs the default spdlog logger on stderr in the given format at the given level.
void configure(Format format, std::string subcommand, spdlog::level::level_enum level);

// Rewrites every line's message and string fields before they are written, e.g. to hide secrets
// that a librdkafka message or an error might quote. Applies to lines logged afterwards, from any
// thread; an empty function removes it.
using Scrubber = std::function<std::string(std::string_view)>;
void set_scrubber(Scrubber scrubber);

// The format configure() chose (text until then).
Format current_format();

// Logs message through the default logger; JSON lines also carry the fields.
void write(spdlog::level::level_enum level, std::string_view message, const Fields& fields);

// A run's final summary, shown unless -q: the text line as given, or in JSON mode an "info"
// line whose fields are the summary's numbers (the message without its "kpipe NAME: ").
void summary(std::string_view text, const Fields& fields);

}  // namespace kpipe::log
