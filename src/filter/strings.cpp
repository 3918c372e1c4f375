// String builtins: explode, implode, utf8bytelength, trim/ltrim/rtrim, fromjson.

#include <simdjson.h>

#include <cstdint>
#include <cstring>

#include "filter/builtins.hpp"
#include "filter/json_reader.hpp"
#include "filter/utf8.hpp"

namespace kpipe::filter {

namespace {

bool is_trimmed_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

Value explode_string(const Value& value) {
    if (!value.is_string()) raise("explode input must be a string");
    const std::string& text = value.as_string();
    Array codepoints;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::uint32_t cp;
        std::size_t n;
        if (lead < 0x80) {
            cp = lead;
            n = 1;
        } else if ((lead >> 5) == 0x6) {
            cp = lead & 0x1f;
            n = 2;
        } else if ((lead >> 4) == 0xe) {
            cp = lead & 0x0f;
            n = 3;
        } else {
            cp = lead & 0x07;
            n = 4;
        }
        for (std::size_t k = 1; k < n && i + k < text.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
        }
        codepoints.push_back(Value::number(cp));
        i += n;
    }
    return Value::array(std::move(codepoints));
}

Value implode_array(const Value& value) {
    if (!value.is_array()) raise("Implode input must be an array");
    std::string out;
    for (const Value& item : value.as_array()) {
        if (!item.is_number()) raise("Unicode codepoint must be numeric");
        const double d = item.as_number();
        std::uint32_t cp = 0xfffd;
        if (d >= 0 && d <= 0x10ffff && !(d >= 0xd800 && d < 0xe000))
            cp = static_cast<std::uint32_t>(d);
        append_utf8(cp, out);
    }
    return Value::string(std::move(out));
}

Value utf8_byte_length(const Value& value) {
    if (!value.is_string()) raise(kind_and_value(value) + " only strings have UTF-8 byte length");
    return Value::number(static_cast<double>(value.as_string().size()));
}

Value trim_whitespace(const Value& value, bool left, bool right) {
    if (!value.is_string()) raise(kind_and_value(value) + " cannot be trimmed");
    const std::string& text = value.as_string();
    std::size_t begin = 0;
    std::size_t end = text.size();
    if (left) {
        while (begin < end && is_trimmed_space(text[begin])) ++begin;
    }
    if (right) {
        while (end > begin && is_trimmed_space(text[end - 1])) --end;
    }
    if (begin == 0 && end == text.size()) return value;
    return Value::string(text.substr(begin, end - begin));
}

Value from_json(const Value& value) {
    if (!value.is_string()) raise(kind_and_value(value) + " only strings can be parsed");
    const std::string& text = value.as_string();
    thread_local simdjson::ondemand::parser parser;
    std::string padded = text;
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    Value out;
    if (auto error = read_document(
            parser, simdjson::padded_string_view(padded.data(), text.size(), padded.size()), out)) {
        raise(*error + " (while parsing '" + text + "')");
    }
    return out;
}

}  // namespace kpipe::filter
