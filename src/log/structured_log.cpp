#include "log/structured_log.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>

namespace kpipe::log {
namespace {

std::atomic<Format> g_format{Format::text};
std::string g_subcommand;

// The fields of the record being logged on this thread; spdlog's message has no room for them.
thread_local const Fields* t_fields = nullptr;

void append_json_string(std::string_view text, std::string& out) {
    out += '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    out += fmt::format("\\u{:04x}", c);
                } else if (c < 0x80) {
                    out += static_cast<char>(c);
                } else {
                    // Keep valid UTF-8 sequences; any other byte becomes U+FFFD so every line
                    // stays valid JSON whatever a broker or a record put in the message.
                    const std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
                    bool valid = length > 0 && c < 0xf5 && i + length <= text.size();
                    for (std::size_t k = 1; valid && k < length; ++k) {
                        valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
                    }
                    if (valid) {
                        out.append(text.substr(i, length));
                        i += length - 1;
                    } else {
                        out += "\\ufffd";
                    }
                }
        }
    }
    out += '"';
}

void append_value(const Field& field, std::string& out) {
    if (const auto* text = std::get_if<std::string>(&field.value)) {
        append_json_string(*text, out);
    } else if (const auto* signed_number = std::get_if<std::int64_t>(&field.value)) {
        out += std::to_string(*signed_number);
    } else if (const auto* unsigned_number = std::get_if<std::uint64_t>(&field.value)) {
        out += std::to_string(*unsigned_number);
    } else if (const auto* flag = std::get_if<bool>(&field.value)) {
        out += *flag ? "true" : "false";
    } else {
        out += fmt::format("{:.3f}", std::get<double>(field.value));
    }
}

// Renders spdlog's messages as json_line(), with the fields of write() when it is the caller.
class JsonFormatter final : public spdlog::formatter {
  public:
    explicit JsonFormatter(std::string subcommand) : subcommand_(std::move(subcommand)) {}

    void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
        static const Fields kNoFields;
        const auto level = spdlog::level::to_string_view(message.level);
        const auto line =
            json_line(message.time, std::string_view(level.data(), level.size()), subcommand_,
                      std::string_view(message.payload.data(), message.payload.size()),
                      t_fields != nullptr ? *t_fields : kNoFields);
        out.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>(subcommand_);
    }

  private:
    std::string subcommand_;
};

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::text;
    if (name == "json") return Format::json;
    return std::nullopt;
}

Fields record_fields(std::string_view topic, std::int32_t partition, std::int64_t offset) {
    return {{"topic", std::string(topic)},
            {"partition", std::int64_t{partition}},
            {"offset", std::int64_t{offset}}};
}

std::string json_line(std::chrono::system_clock::time_point time, std::string_view level,
                      std::string_view subcommand, std::string_view message, const Fields& fields) {
    using namespace std::chrono;
    const auto since_epoch = duration_cast<milliseconds>(time.time_since_epoch());
    const auto whole_seconds = floor<seconds>(since_epoch);
    const auto epoch_seconds = static_cast<std::time_t>(whole_seconds.count());
    std::tm utc{};
    gmtime_r(&epoch_seconds, &utc);
    std::array<char, 32> stamp{};
    std::strftime(stamp.data(), stamp.size(), "%Y-%m-%dT%H:%M:%S", &utc);

    std::string out = "{\"time\":\"";
    out += stamp.data();
    out += fmt::format(".{:03d}Z\",\"level\":", (since_epoch - whole_seconds).count());
    append_json_string(level, out);
    out += ",\"subcommand\":";
    append_json_string(subcommand, out);
    out += ",\"message\":";
    append_json_string(message, out);
    for (const auto& field : fields) {
        out += ',';
        append_json_string(field.name, out);
        out += ':';
        append_value(field, out);
    }
    out += "}\n";
    return out;
}

void configure(Format format, std::string subcommand, spdlog::level::level_enum level) {
    auto logger = std::make_shared<spdlog::logger>(
        "kpipe " + subcommand, std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (format == Format::json) {
        logger->set_formatter(std::make_unique<JsonFormatter>(subcommand));
    } else {
        logger->set_pattern("%n: %v");
    }
    logger->set_level(level);
    logger->flush_on(spdlog::level::trace);
    g_subcommand = std::move(subcommand);
    g_format = format;
    spdlog::set_default_logger(logger);
}

Format current_format() {
    return g_format;
}

void write(spdlog::level::level_enum level, std::string_view message, const Fields& fields) {
    auto* logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    const auto* outer = t_fields;
    t_fields = &fields;
    logger->log(level, "{}", message);
    t_fields = outer;
}

void summary(std::string_view text, const Fields& fields) {
    if (g_format == Format::json) {
        // The subcommand has a field of its own: drop the text line's "kpipe NAME...: ".
        auto message = text;
        if (const auto colon = message.find(": ");
            message.starts_with("kpipe ") && colon != std::string_view::npos) {
            message.remove_prefix(colon + 2);
        }
        const auto line =
            json_line(std::chrono::system_clock::now(), "info", g_subcommand, message, fields);
        std::fwrite(line.data(), 1, line.size(), stderr);
    } else {
        std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
    }
    std::fflush(stderr);
}

}  // namespace kpipe::log
