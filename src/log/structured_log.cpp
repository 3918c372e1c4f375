#include "log/structured_log.hpp"

#include <simdjson.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "filter/json_writer.hpp"

namespace kpipe::log {
namespace {

std::atomic<Format> g_format{Format::text};
std::string g_subcommand;

// The fields of the record being logged on this thread; spdlog's message has no room for them.
thread_local const Fields* t_fields = nullptr;

std::mutex g_scrubber_mutex;
std::shared_ptr<const Scrubber> g_scrubber;

std::shared_ptr<const Scrubber> current_scrubber() {
    std::lock_guard lock(g_scrubber_mutex);
    return g_scrubber;
}

Fields scrubbed_fields(const Fields& fields, const Scrubber& scrub) {
    Fields copy = fields;
    for (auto& field : copy) {
        if (auto* text = std::get_if<std::string>(&field.value)) *text = scrub(*text);
    }
    return copy;
}

// Applies the scrubber to the message (and the fields of write()), then formats with `inner`.
class ScrubbingFormatter final : public spdlog::formatter {
  public:
    explicit ScrubbingFormatter(std::unique_ptr<spdlog::formatter> inner)
        : inner_(std::move(inner)) {}

    void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
        const auto scrubber = current_scrubber();
        if (!scrubber) return inner_->format(message, out);
        const std::string payload =
            (*scrubber)(std::string_view(message.payload.data(), message.payload.size()));
        spdlog::details::log_msg scrubbed = message;
        scrubbed.payload = spdlog::string_view_t(payload.data(), payload.size());
        const Fields* outer = t_fields;
        Fields fields;
        if (outer != nullptr) {
            fields = scrubbed_fields(*outer, *scrubber);
            t_fields = &fields;
        }
        inner_->format(scrubbed, out);
        t_fields = outer;
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<ScrubbingFormatter>(inner_->clone());
    }

  private:
    std::unique_ptr<spdlog::formatter> inner_;
};

// Invalid UTF-8 (a broker's or a record's bytes in a message) becomes U+FFFD, so that every
// line stays valid JSON.
std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if (i + length <= text.size() && simdjson::validate_utf8(text.data() + i, length)) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

void append_json_string(std::string_view text, std::string& out) {
    if (simdjson::validate_utf8(text.data(), text.size())) {
        filter::write_json_string(text, out);
    } else {
        filter::write_json_string(replace_invalid_utf8(text), out);
    }
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

void append_throughput(Fields& fields, std::uint64_t records, double seconds, bool interrupted) {
    fields.push_back({"seconds", seconds});
    fields.push_back({"records_per_second", records / std::max(seconds, 1e-9)});
    fields.push_back({"interrupted", interrupted});
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
        logger->set_formatter(
            std::make_unique<ScrubbingFormatter>(std::make_unique<JsonFormatter>(subcommand)));
    } else {
        logger->set_formatter(std::make_unique<ScrubbingFormatter>(
            std::make_unique<spdlog::pattern_formatter>("%n: %v")));
    }
    logger->set_level(level);
    logger->flush_on(spdlog::level::trace);
    g_subcommand = std::move(subcommand);
    g_format = format;
    spdlog::set_default_logger(logger);
}

void set_scrubber(Scrubber scrubber) {
    auto shared = scrubber ? std::make_shared<const Scrubber>(std::move(scrubber)) : nullptr;
    std::lock_guard lock(g_scrubber_mutex);
    g_scrubber = std::move(shared);
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

void summary(std::string_view original_text, const Fields& fields) {
    const auto scrubber = current_scrubber();
    const std::string text = scrubber ? (*scrubber)(original_text) : std::string(original_text);
    if (g_format == Format::json) {
        // The subcommand has a field of its own: drop the text line's "kpipe NAME...: ".
        auto message = std::string_view(text);
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
