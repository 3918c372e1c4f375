#include "filter/builtins.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>

#include "filter/json_writer.hpp"

namespace kpipe::filter {

namespace {

// jq builds many messages with a 15-byte buffer for the value (jv_dump_string_trunc).
constexpr std::size_t short_dump = 15;
// "abc" * n: jq would happily allocate gigabytes; kpipe stops here.
constexpr std::size_t max_repeated_string = std::size_t{512} << 20;

[[noreturn]] void type_error(const Value& v, std::string_view what) {
    raise(kind_and_value(v) + " " + std::string(what));
}

[[noreturn]] void type_error2(const Value& a, const Value& b, std::string_view what) {
    raise(kind_and_value(a) + " and " + kind_and_value(b) + " " + std::string(what));
}

bool is_integer_index(double d) {
    return d == d && d <= INT_MAX && d >= INT_MIN && d == to_int(d);
}

std::size_t utf8_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead >> 5) == 0x6) return 2;
    if ((lead >> 4) == 0xe) return 3;
    return 4;
}

// Byte offset of the code point at index `cp` (or text.size()).
std::size_t codepoint_offset(std::string_view text, std::size_t cp) {
    std::size_t pos = 0;
    while (cp > 0 && pos < text.size()) {
        pos += utf8_length(static_cast<unsigned char>(text[pos]));
        --cp;
    }
    return std::min(pos, text.size());
}

// jq's parse_slice: {"start": s, "end": e} (null = open) against a length.
bool parse_slice(const Value& slice, std::size_t length, std::size_t& start, std::size_t& end) {
    const Object& members = slice.as_object();
    const Value* start_value = members.find("start");
    const Value* end_value = members.find("end");
    if (start_value == nullptr || end_value == nullptr) return false;
    const double len = static_cast<double>(length);
    const Value start_number = start_value->is_null() ? Value::number(0) : *start_value;
    const Value end_number = end_value->is_null() ? Value::number(len) : *end_value;
    if (!start_number.is_number() || !end_number.is_number()) return false;
    double dstart = start_number.as_number();
    double dend = end_number.as_number();
    if (dstart < 0) dstart += len;
    if (dend < 0) dend += len;
    if (dstart < 0) dstart = 0;
    if (dstart > len) dstart = len;
    if (dend > len) dend = len;
    if (dend < dstart) dend = dstart;
    start = static_cast<std::size_t>(dstart);
    const auto whole_end = static_cast<std::size_t>(dend);
    end = dend > static_cast<double>(whole_end) ? whole_end + 1 : whole_end;
    end = std::min(end, length);
    return true;
}

Value array_positions(const Array& haystack, const Array& needle) {
    Array positions;
    for (std::size_t i = 0; i < haystack.size(); ++i) {
        bool matched = !needle.empty();
        for (std::size_t j = 0; j < needle.size(); ++j) {
            if (i + j >= haystack.size() || !equals(haystack[i + j], needle[j])) {
                matched = false;
                break;
            }
        }
        if (matched) positions.push_back(Value::number(static_cast<double>(i)));
    }
    return Value::array(std::move(positions));
}

Value split_string(const std::string& text, const std::string& separator) {
    Array parts;
    if (separator.empty()) {
        for (std::size_t pos = 0; pos < text.size();) {
            const std::size_t n = utf8_length(static_cast<unsigned char>(text[pos]));
            parts.push_back(Value::string(text.substr(pos, n)));
            pos += n;
        }
        return Value::array(std::move(parts));
    }
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t found = text.find(separator, pos);
        if (found == std::string::npos) found = text.size();
        parts.push_back(Value::string(text.substr(pos, found - pos)));
        if (found + separator.size() == text.size()) parts.push_back(Value::string(""));
        pos = found + separator.size();
    }
    return Value::array(std::move(parts));
}

Value merge_recursive(const Object& base, const Object& overlay) {
    Object merged = base;
    for (const auto& [key, value] : overlay) {
        const Value* existing = merged.find(key);
        if (existing != nullptr && existing->is_object() && value.is_object()) {
            merged.set(key, merge_recursive(existing->as_object(), value.as_object()));
        } else {
            merged.set(key, value);
        }
    }
    return Value::object(std::move(merged));
}

Value repeat_string(const Value& text, double times) {
    // jq 1.6 (as Debian ships it): n = times - 1 more copies, none below zero (null), and an error
    // once the result would reach INT_MAX bytes.
    if (std::isnan(times)) return Value();
    if (times > INT_MAX) raise("Repeat string result too long");
    const int extra = to_int(times - 1);
    if (extra < 0) return Value();
    const std::string& s = text.as_string();
    const std::size_t copies = static_cast<std::size_t>(extra) + 1;
    if (s.size() * copies >= static_cast<std::size_t>(INT_MAX))
        raise("Repeat string result too long");
    if (s.size() * copies > max_repeated_string) {
        raise("Repeat string result too long (kpipe limits strings to 512 MiB)");
    }
    std::string out;
    out.reserve(s.size() * copies);
    for (std::size_t i = 0; i < copies; ++i) out += s;
    return Value::string(std::move(out));
}

int compare_strings(std::string_view a, std::string_view b) {
    const int r = a.compare(0, std::string_view::npos, b);  // memcmp, then length
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

std::vector<std::string> sorted_keys(const Object& object) {
    std::vector<std::string> keys;
    keys.reserve(object.size());
    for (const auto& member : object) keys.push_back(member.first);
    std::sort(keys.begin(), keys.end(),
              [](const std::string& a, const std::string& b) { return compare_strings(a, b) < 0; });
    return keys;
}

// jq's literal parsing for tonumber: strtod's syntax (so "+1", ".5", "1.", "infinity" and "nan"
// count), whole token only.
bool strtod_syntax(std::string_view s, double& out) {
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    std::string lower;
    for (char c : s.substr(i))
        lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    if (lower == "inf" || lower == "infinity") {
        out = negative ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    if (lower == "nan") {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    const std::size_t mantissa_start = i;
    std::size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j >= s.size() || !(s[j] >= '0' && s[j] <= '9')) return false;
        while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
        i = j;
    }
    if (i != s.size()) return false;
    std::string text(s.substr(mantissa_start));
    if (text.front() == '.') text.insert(text.begin(), '0');
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec == std::errc::result_out_of_range) {
        const auto e = text.find_first_of("eE");
        value = (e != std::string::npos && text[e + 1] == '-') ? 0.0 : HUGE_VAL;
    }
    out = negative ? -value : value;
    return true;
}

bool is_json_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


Value delete_keys(const Value& container, const std::vector<Value>& keys) {
    if (container.is_null() || keys.empty()) return container;
    if (container.is_array()) {
        const Array& items = container.as_array();
        std::vector<bool> doomed(items.size(), false);
        const int length = static_cast<int>(items.size());
        for (const Value& key : keys) {
            if (key.is_number()) {
                int i = to_int(key.as_number());
                if (key.as_number() < 0) i += length;
                if (i >= 0 && i < length) doomed[static_cast<std::size_t>(i)] = true;
            } else if (key.is_object()) {
                std::size_t start = 0;
                std::size_t end = 0;
                if (!parse_slice(key, items.size(), start, end)) {
                    raise("Start and end indices of an array slice must be numbers");
                }
                for (std::size_t i = start; i < end; ++i) doomed[i] = true;
            } else {
                raise("Cannot delete " + std::string(kind_name(key.kind())) + " element of array");
            }
        }
        Array kept;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!doomed[i]) kept.push_back(items[i]);
        }
        return Value::array(std::move(kept));
    }
    if (container.is_object()) {
        Object copy = container.as_object();
        for (const Value& key : keys) {
            if (!key.is_string()) {
                raise("Cannot delete " + std::string(kind_name(key.kind())) + " field of object");
            }
            copy.erase(key.as_string());
        }
        return Value::object(std::move(copy));
    }
    raise("Cannot delete fields from " + std::string(kind_name(container.kind())));
}

Value delete_sorted(const Value& input, const std::vector<Array>& paths, std::size_t first,
                    std::size_t last, std::size_t depth) {
    Value result = input;
    std::vector<Value> doomed_keys;
    for (std::size_t i = first; i < last;) {
        const Value& key = paths[i][depth];
        const bool whole_key = paths[i].size() == depth + 1;
        std::size_t j = i;
        while (j < last && equals(key, paths[j][depth])) ++j;
        if (whole_key) {
            doomed_keys.push_back(key);
        } else {
            const Value member = index_value(result, key);
            if (!member.is_null()) {
                result = set_member(result, key, delete_sorted(member, paths, i, j, depth + 1));
            }
        }
        i = j;
    }
    return delete_keys(result, doomed_keys);
}

}  // namespace

Value set_member(const Value& container, const Value& key, Value member) {
    if (container.is_object() && key.is_string()) {
        Object copy = container.as_object();
        copy.set(key.as_string(), std::move(member));
        return Value::object(std::move(copy));
    }
    if (container.is_array() && key.is_number()) {
        Array copy = container.as_array();
        int i = to_int(key.as_number());
        if (i < 0) i += static_cast<int>(copy.size());
        if (i < 0) raise("Out of bounds negative array index");
        if (static_cast<std::size_t>(i) >= copy.size())
            copy.resize(static_cast<std::size_t>(i) + 1);
        copy[static_cast<std::size_t>(i)] = std::move(member);
        return Value::array(std::move(copy));
    }
    raise("Cannot update field at object index of " + std::string(kind_name(container.kind())));
}

// C's double-to-integer conversions as x86-64 performs them (jq relies on them): truncation,
// with NaN and out-of-range values becoming the minimum integer.
int to_int(double d) {
    if (!(d > -2147483649.0 && d < 2147483648.0)) return INT_MIN;
    return static_cast<int>(d);
}
std::int64_t to_int64(double d) {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
    return static_cast<std::int64_t>(d);
}

void raise(std::string message) {
    throw FilterError{Value::string(std::move(message))};
}

std::string kind_and_value(const Value& v) {
    return std::string(kind_name(v.kind())) + " (" + dump_truncated(v, short_dump) + ")";
}

void raise_cannot_iterate(const Value& value) {
    raise("Cannot iterate over " + kind_and_value(value));
}

std::string error_message(const Value& payload) {
    if (payload.is_string()) return payload.as_string();
    return "(not a string): " + to_json(payload);
}

std::size_t byte_offset_of_codepoint(std::string_view text, std::size_t index) {
    return codepoint_offset(text, index);
}

std::size_t codepoint_count(std::string_view text) {
    std::size_t count = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++count;
    }
    return count;
}

int compare_arrays(const Array& x, const Array& y) {
    for (std::size_t i = 0;; ++i) {
        const bool x_done = i >= x.size();
        const bool y_done = i >= y.size();
        if (x_done || y_done) return static_cast<int>(y_done) - static_cast<int>(x_done);
        if (const int r = compare(x[i], y[i]); r != 0) return r;
    }
}

int compare(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
    switch (a.kind()) {
        case Kind::number: {
            // jq 1.6 orders NaN below every number (and below itself).
            const double x = a.as_number();
            const double y = b.as_number();
            if (std::isnan(x)) return -1;
            if (std::isnan(y)) return 1;
            return x < y ? -1 : (x == y ? 0 : 1);
        }
        case Kind::string:
            return compare_strings(a.as_string(), b.as_string());
        case Kind::array:
            return compare_arrays(a.as_array(), b.as_array());
        case Kind::object: {
            const std::vector<std::string> x_keys = sorted_keys(a.as_object());
            const std::vector<std::string> y_keys = sorted_keys(b.as_object());
            for (std::size_t i = 0;; ++i) {
                const bool x_done = i >= x_keys.size();
                const bool y_done = i >= y_keys.size();
                if (x_done || y_done) {
                    if (x_done != y_done)
                        return static_cast<int>(y_done) - static_cast<int>(x_done);
                    break;
                }
                if (const int r = compare_strings(x_keys[i], y_keys[i]); r != 0) return r;
            }
            for (const std::string& key : x_keys) {
                const int r = compare(*a.as_object().find(key), *b.as_object().find(key));
                if (r != 0) return r;
            }
            return 0;
        }
        default:
            return 0;  // null, false, true
    }
}

bool identical(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Kind::number: {
            const double x = a.as_number();
            const double y = b.as_number();
            return std::memcmp(&x, &y, sizeof x) == 0;
        }
        case Kind::string:
        case Kind::array:
        case Kind::object:
            return a.identity() == b.identity();
        default:
            return true;
    }
}

bool equals(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_number()) return a.as_number() == b.as_number();
    return compare(a, b) == 0;
}

Value apply_binary(BinaryOp op, const Value& lhs, const Value& rhs) {
    switch (op) {
        case BinaryOp::add:
            if (lhs.is_null()) return rhs;
            if (rhs.is_null()) return lhs;
            if (lhs.is_number() && rhs.is_number()) {
                return Value::number(lhs.as_number() + rhs.as_number());
            }
            if (lhs.is_string() && rhs.is_string())
                return Value::string(lhs.as_string() + rhs.as_string());
            if (lhs.is_array() && rhs.is_array()) {
                Array joined = lhs.as_array();
                joined.insert(joined.end(), rhs.as_array().begin(), rhs.as_array().end());
                return Value::array(std::move(joined));
            }
            if (lhs.is_object() && rhs.is_object()) {
                Object merged = lhs.as_object();
                for (const auto& [key, value] : rhs.as_object()) merged.set(key, value);
                return Value::object(std::move(merged));
            }
            type_error2(lhs, rhs, "cannot be added");
        case BinaryOp::subtract:
            if (lhs.is_number() && rhs.is_number()) {
                return Value::number(lhs.as_number() - rhs.as_number());
            }
            if (lhs.is_array() && rhs.is_array()) {
                Array kept;
                for (const Value& item : lhs.as_array()) {
                    const auto& removals = rhs.as_array();
                    if (std::none_of(removals.begin(), removals.end(),
                                     [&](const Value& r) { return equals(item, r); })) {
                        kept.push_back(item);
                    }
                }
                return Value::array(std::move(kept));
            }
            type_error2(lhs, rhs, "cannot be subtracted");
        case BinaryOp::multiply:
            if (lhs.is_number() && rhs.is_number()) {
                return Value::number(lhs.as_number() * rhs.as_number());
            }
            if (lhs.is_string() && rhs.is_number()) return repeat_string(lhs, rhs.as_number());
            if (lhs.is_number() && rhs.is_string()) return repeat_string(rhs, lhs.as_number());
            if (lhs.is_object() && rhs.is_object()) {
                return merge_recursive(lhs.as_object(), rhs.as_object());
            }
            type_error2(lhs, rhs, "cannot be multiplied");
        case BinaryOp::divide:
            if (lhs.is_number() && rhs.is_number()) {
                if (rhs.as_number() == 0.0) {
                    type_error2(lhs, rhs, "cannot be divided because the divisor is zero");
                }
                return Value::number(lhs.as_number() / rhs.as_number());
            }
            if (lhs.is_string() && rhs.is_string())
                return split_string(lhs.as_string(), rhs.as_string());
            type_error2(lhs, rhs, "cannot be divided");
        case BinaryOp::modulo: {
            if (!lhs.is_number() || !rhs.is_number()) {
                type_error2(lhs, rhs, "cannot be divided (remainder)");
            }
            const std::int64_t divisor = to_int64(rhs.as_number());
            if (divisor == 0) {
                type_error2(lhs, rhs, "cannot be divided (remainder) because the divisor is zero");
            }
            const std::int64_t dividend = to_int64(lhs.as_number());
            // INT64_MIN % -1 traps in C (jq crashes); the mathematical answer is 0.
            if (divisor == -1) return Value::number(0);
            return Value::number(static_cast<double>(dividend % divisor));
        }
        case BinaryOp::equal:
            return Value::boolean(equals(lhs, rhs));
        case BinaryOp::not_equal:
            return Value::boolean(!equals(lhs, rhs));
        case BinaryOp::less:
            return Value::boolean(compare(lhs, rhs) < 0);
        case BinaryOp::less_equal:
            return Value::boolean(compare(lhs, rhs) <= 0);
        case BinaryOp::greater:
            return Value::boolean(compare(lhs, rhs) > 0);
        case BinaryOp::greater_equal:
            return Value::boolean(compare(lhs, rhs) >= 0);
    }
    raise("unknown operator");
}

Value negate(const Value& value) {
    if (!value.is_number()) type_error(value, "cannot be negated");
    return Value::number(-value.as_number());
}

Value index_value(const Value& target, const Value& key) {
    if (target.is_object() && key.is_string()) {
        const Value* member = target.as_object().find(key.as_string());
        return member != nullptr ? *member : Value();
    }
    if (target.is_array() && key.is_number()) {
        const double d = key.as_number();
        if (!is_integer_index(d)) return Value();
        const Array& items = target.as_array();
        std::int64_t i = to_int(d);
        if (i < 0) i += static_cast<std::int64_t>(items.size());
        if (i < 0 || i >= static_cast<std::int64_t>(items.size())) return Value();
        return items[static_cast<std::size_t>(i)];
    }
    if (target.is_array() && key.is_object()) {
        std::size_t start = 0;
        std::size_t end = 0;
        if (!parse_slice(key, target.as_array().size(), start, end)) {
            raise("Start and end indices of an array slice must be numbers");
        }
        const Array& items = target.as_array();
        return Value::array(Array(items.begin() + static_cast<std::ptrdiff_t>(start),
                                  items.begin() + static_cast<std::ptrdiff_t>(end)));
    }
    if (target.is_string() && key.is_object()) {
        const std::string& text = target.as_string();
        std::size_t start = 0;
        std::size_t end = 0;
        if (!parse_slice(key, codepoint_count(text), start, end)) {
            raise("Start and end indices of an string slice must be numbers");
        }
        const std::size_t from = codepoint_offset(text, start);
        const std::size_t to = codepoint_offset(text, end);
        return Value::string(text.substr(from, to - from));
    }
    if (target.is_array() && key.is_array())
        return array_positions(target.as_array(), key.as_array());
    if (target.is_null() && (key.is_string() || key.is_number() || key.is_object())) return Value();
    if (key.is_string() && key.as_string().size() < 30) {
        raise("Cannot index " + std::string(kind_name(target.kind())) + " with string \"" +
              key.as_string() + "\"");
    }
    raise("Cannot index " + std::string(kind_name(target.kind())) + " with " +
          std::string(kind_name(key.kind())));
}

Value length_of(const Value& value) {
    switch (value.kind()) {
        case Kind::null:
            return Value::number(0);
        case Kind::number:
            return Value::number(std::fabs(value.as_number()));
        case Kind::string:
            return Value::number(static_cast<double>(codepoint_count(value.as_string())));
        case Kind::array:
            return Value::number(static_cast<double>(value.as_array().size()));
        case Kind::object:
            return Value::number(static_cast<double>(value.as_object().size()));
        default:
            type_error(value, "has no length");
    }
}

Value keys_of(const Value& value) {
    Array keys;
    if (value.is_object()) {
        for (std::string& key : sorted_keys(value.as_object()))
            keys.push_back(Value::string(std::move(key)));
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.as_array().size(); ++i) {
            keys.push_back(Value::number(static_cast<double>(i)));
        }
    } else {
        type_error(value, "has no keys");
    }
    return Value::array(std::move(keys));
}

Value has_key(const Value& container, const Value& key) {
    if (container.is_null()) return Value::boolean(false);
    if (container.is_object() && key.is_string()) {
        return Value::boolean(container.as_object().find(key.as_string()) != nullptr);
    }
    if (container.is_array() && key.is_number()) {
        const int i = to_int(key.as_number());
        return Value::boolean(i >= 0 && static_cast<std::size_t>(i) < container.as_array().size());
    }
    raise("Cannot check whether " + std::string(kind_name(container.kind())) + " has a " +
          std::string(kind_name(key.kind())) + " key");
}

Value type_of(const Value& value) {
    return Value::string(std::string(kind_name(value.kind())));
}

Value to_string(const Value& value) {
    if (value.is_string()) return value;
    return Value::string(to_json(value));
}

Value to_number(const Value& value) {
    if (value.is_number()) return value;
    if (!value.is_string()) type_error(value, "cannot be parsed as a number");
    const std::string& text = value.as_string();
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_json_space(text[begin])) ++begin;
    while (end > begin && is_json_space(text[end - 1])) --end;
    const std::string_view token = std::string_view(text).substr(begin, end - begin);
    if (token.empty()) raise("Expected JSON value (while parsing '" + text + "')");
    if (token.find_first_of(" \t\r\n[]{},:\"") != std::string_view::npos) {
        // More than one token: jq parses it as JSON text; none of that is a single number.
        type_error(value, "cannot be parsed as a number");
    }
    const std::string column = std::to_string(codepoint_count(text.substr(0, end)));
    const char first = token.front();
    if (first == 't' || first == 'f' || first == 'n') {
        if (token == "true" || token == "false" || token == "null") {
            type_error(value, "cannot be parsed as a number");
        }
        if (token == "nan") return Value::number(std::numeric_limits<double>::quiet_NaN());
        raise("Invalid literal at EOF at line 1, column " + column + " (while parsing '" + text +
              "')");
    }
    double number = 0;
    if (!strtod_syntax(token, number)) {
        raise("Invalid numeric literal at EOF at line 1, column " + column + " (while parsing '" +
              text + "')");
    }
    return Value::number(number);
}

Value ascii_case(const Value& value, bool upper) {
    if (!value.is_string()) raise("explode input must be a string");
    std::string text = value.as_string();
    for (char& c : text) {
        if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return Value::string(std::move(text));
}

Value starts_with(const Value& value, const Value& prefix) {
    if (!value.is_string() || !prefix.is_string()) raise("startswith() requires string inputs");
    return Value::boolean(std::string_view(value.as_string()).starts_with(prefix.as_string()));
}

Value ends_with(const Value& value, const Value& suffix) {
    if (!value.is_string() || !suffix.is_string()) raise("endswith() requires string inputs");
    return Value::boolean(std::string_view(value.as_string()).ends_with(suffix.as_string()));
}

Value trim_prefix(const Value& value, const Value& prefix) {
    if (!value.is_string() || !prefix.is_string()) return value;
    const std::string& text = value.as_string();
    if (!std::string_view(text).starts_with(prefix.as_string())) return value;
    return Value::string(text.substr(prefix.as_string().size()));
}

Value trim_suffix(const Value& value, const Value& suffix) {
    if (!value.is_string() || !suffix.is_string()) return value;
    const std::string& text = value.as_string();
    if (!std::string_view(text).ends_with(suffix.as_string())) return value;
    return Value::string(text.substr(0, text.size() - suffix.as_string().size()));
}

Value delete_paths(const Value& input, std::vector<Array> paths) {
    std::stable_sort(paths.begin(), paths.end(),
                     [](const Array& a, const Array& b) { return compare_arrays(a, b) < 0; });
    if (paths.empty()) return input;
    if (paths.front().empty()) return Value();
    return delete_sorted(input, paths, 0, paths.size(), 0);
}

}  // namespace kpipe::filter

namespace kpipe::filter {

Value split_by(const Value& value, const Value& separator) {
    if (!value.is_string() || !separator.is_string())
        raise("split input and separator must be strings");
    if (value.as_string().empty()) return Value::array({});
    return split_string(value.as_string(), separator.as_string());
}

}  // namespace kpipe::filter
