#include "replay/record_time.hpp"

#include <charconv>
#include <ctime>
#include <optional>
#include <string>

namespace kpipe::replay {
namespace {

// Reads exactly `digits` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t digits, int& value) {
    if (pos + digits > text.size()) return false;
    const char* begin = text.data() + pos;
    const auto [end, error] = std::from_chars(begin, begin + digits, value);
    if (error != std::errc() || end != begin + digits) return false;
    pos += digits;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
    std::tm tm{};
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') ||
        !read_digits(text, pos, 2, month) || !expect(text, pos, '-') ||
        !read_digits(text, pos, 2, day) || !(expect(text, pos, 'T') || expect(text, pos, 't')) ||
        !read_digits(text, pos, 2, hour) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, minute) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int scale = 100;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    int offset_minutes = 0;
    const bool utc = expect(text, pos, 'Z') || expect(text, pos, 'z');
    if (utc) {
        // no offset
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int offset_hours = 0, offset_mins = 0;
        if (!read_digits(text, pos, 2, offset_hours) || !expect(text, pos, ':') ||
            !read_digits(text, pos, 2, offset_mins)) {
            return std::nullopt;
        }
        offset_minutes = sign * (offset_hours * 60 + offset_mins);
    } else {
        return std::nullopt;  // a time without a zone would depend on the machine's TZ
    }
    if (pos != text.size()) return std::nullopt;
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t seconds = timegm(&tm);
    return (static_cast<std::int64_t>(seconds) - offset_minutes * 60LL) * 1000 + millis;
}

}  // namespace

Expected<std::int64_t> parse_time(std::string_view text, std::string_view option) {
    std::int64_t millis = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), millis);
    if (!text.empty() && error == std::errc() && end == text.data() + text.size() && millis >= 0) {
        return millis;
    }
    if (auto parsed = parse_iso8601(text)) return *parsed;
    return usage_error(std::string(option) + " '" + std::string(text) +
                       "' is not a time: give epoch milliseconds or ISO-8601 like "
                       "2026-11-27T10:00:00Z");
}

}  // namespace kpipe::replay
