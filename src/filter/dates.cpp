// Date builtins on the C library, as jq does them: gmtime, localtime, mktime, strftime,
// strflocaltime, strptime, now, todate and fromdate. Times are UTC unless the name says local.

#include <sys/time.h>

#include <cmath>
#include <cstring>
#include <ctime>

#include "filter/builtins.hpp"

namespace kpipe::filter {

namespace {

bool to_tm(const Value& broken_down, std::tm& tm) {
    tm = std::tm{};
    const Array& fields = broken_down.as_array();
    int values[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    if (fields.size() < 8) return false;
    for (std::size_t i = 0; i < 8; ++i) {
        if (!fields[i].is_number()) return false;
        values[i] = to_int(fields[i].as_number());
    }
    tm.tm_year = static_cast<int>(static_cast<std::int64_t>(values[0]) - 1900);
    tm.tm_mon = values[1];
    tm.tm_mday = values[2];
    tm.tm_hour = values[3];
    tm.tm_min = values[4];
    tm.tm_sec = values[5];
    tm.tm_wday = values[6];
    tm.tm_yday = values[7];
    return true;
}

Value from_tm(const std::tm& tm, double seconds) {
    return Value::array({Value::number(tm.tm_year + 1900.0), Value::number(tm.tm_mon),
                         Value::number(tm.tm_mday), Value::number(tm.tm_hour),
                         Value::number(tm.tm_min), Value::number(seconds),
                         Value::number(tm.tm_wday), Value::number(tm.tm_yday)});
}

std::string format_tm(const std::tm& tm, const std::string& format) {
    if (format.empty()) return {};
    std::string buffer(format.size() * 4 + 128, '\0');
    for (int attempt = 0; attempt < 6; ++attempt) {
        const std::size_t n = std::strftime(buffer.data(), buffer.size(), format.c_str(), &tm);
        if (n > 0) return buffer.substr(0, n);
        buffer.resize(buffer.size() * 4);
    }
    raise("strftime/1: unknown system failure");
}

// Day of week and of year from year/month/day, as jq's set_tm_wday and set_tm_yday.
void set_week_and_year_days(std::tm& tm) {
    std::tm copy = tm;
    copy.tm_isdst = 0;
    const std::time_t t = timegm(&copy);
    std::tm normalized{};
    if (t != static_cast<std::time_t>(-1) && gmtime_r(&t, &normalized) != nullptr) {
        tm.tm_wday = normalized.tm_wday;
        tm.tm_yday = normalized.tm_yday;
    }
}

}  // namespace

Value now_value() {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    return Value::number(static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6);
}

Value gmtime_value(const Value& value, bool local) {
    if (!value.is_number()) raise(std::string(local ? "localtime" : "gmtime") + "() requires a number");
    const double seconds = value.as_number();
    const auto t = static_cast<std::time_t>(to_int64(std::floor(seconds)));
    std::tm tm{};
    if ((local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)) == nullptr) {
        raise(std::string("error converting number of seconds since epoch to datetime"));
    }
    return from_tm(tm, tm.tm_sec + (seconds - std::floor(seconds)));
}

Value mktime_value(const Value& value) {
    if (!value.is_array()) raise("mktime requires array of 6 numbers");
    std::tm tm{};
    if (!to_tm(value, tm)) raise("mktime requires parsed datetime inputs");
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) raise("invalid gmtime representation");
    return Value::number(static_cast<double>(t));
}

Value strftime_value(const Value& value, const Value& format, bool local) {
    const char* name = local ? "strflocaltime/1" : "strftime/1";
    Value broken_down = value;
    if (value.is_number()) broken_down = gmtime_value(value, local);
    std::tm tm{};
    if (!broken_down.is_array() || !to_tm(broken_down, tm)) {
        raise(std::string(name) + " requires parsed datetime inputs");
    }
    if (!format.is_string()) raise(std::string(name) + " requires a string format");
    return Value::string(format_tm(tm, format.as_string()));
}

Value strptime_value(const Value& value, const Value& format) {
    if (!value.is_string() || !format.is_string()) {
        raise("strptime/1 requires string inputs and arguments");
    }
    const std::string& text = value.as_string();
    std::tm tm{};
    const char* end = strptime(text.c_str(), format.as_string().c_str(), &tm);
    if (end == nullptr || (*end != '\0' && !std::isspace(static_cast<unsigned char>(*end)))) {
        raise("date \"" + text + "\" does not match format \"" + format.as_string() + "\"");
    }
    set_week_and_year_days(tm);
    return from_tm(tm, tm.tm_sec);
}

// todate is jq's strftime("%Y-%m-%dT%H:%M:%SZ"): numbers go through gmtime (seconds truncated
// toward zero), arrays are broken-down times.
Value to_date(const Value& value) {
    std::tm tm{};
    if (value.is_number()) {
        const std::int64_t seconds = to_int64(value.as_number());
        const auto t = static_cast<std::time_t>(seconds);
        if (gmtime_r(&t, &tm) == nullptr) {
            raise("errror converting number of seconds since epoch to datetime");
        }
    } else if (!value.is_array() || !to_tm(value, tm)) {
        raise("strftime/1 requires parsed datetime inputs");
    }
    char buffer[128];
    const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return Value::string(std::string(buffer, n));
}

// fromdate is jq's strptime("%Y-%m-%dT%H:%M:%SZ") | mktime, on the same C library calls.
Value from_date(const Value& value) {
    if (!value.is_string()) raise("strptime/1 requires string inputs and arguments");
    static constexpr const char* format = "%Y-%m-%dT%H:%M:%SZ";
    const std::string& text = value.as_string();
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end == nullptr || (*end != '\0' && !std::isspace(static_cast<unsigned char>(*end)))) {
        raise("date \"" + text + "\" does not match format \"" + format + "\"");
    }
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) raise("invalid gmtime representation");
    return Value::number(static_cast<double>(t));
}

}  // namespace kpipe::filter
