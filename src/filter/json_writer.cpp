#include "filter/json_writer.hpp"

#include <cfloat>
#include <charconv>
#include <cmath>

namespace kpipe::filter {

void write_json_string(std::string_view text, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;  // start of the pending verbatim run
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
        out.append(text, run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
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
            default:
                out += "\\u00";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xf]);
        }
    }
    out.append(text, run, text.size() - run);
    out.push_back('"');
}

void write_json_number(double number, std::string& out) {
    if (std::isnan(number)) {
        out += "null";
        return;
    }
    if (number > DBL_MAX) number = DBL_MAX;
    if (number < -DBL_MAX) number = -DBL_MAX;

    // Shortest round-trip digits, then jq's (David Gay's g_fmt) layout rules.
    char sci[40];
    const auto result = std::to_chars(sci, sci + sizeof sci, number, std::chars_format::scientific);
    std::string_view text(sci, static_cast<std::size_t>(result.ptr - sci));
    const bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    const std::size_t e = text.find('e');
    char digits[24];
    std::size_t ndigits = 0;
    for (char c : text.substr(0, e)) {
        if (c != '.') digits[ndigits++] = c;
    }
    int exponent = 0;
    std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(),
                    exponent);
    const int decpt = exponent + 1;  // position of the decimal point relative to the digits

    if (negative) out.push_back('-');
    if (decpt <= -4 || decpt > static_cast<int>(ndigits) + 15) {
        out.push_back(digits[0]);
        if (ndigits > 1) {
            out.push_back('.');
            out.append(digits + 1, ndigits - 1);
        }
        out.push_back('e');
        int shown = decpt - 1;
        out.push_back(shown < 0 ? '-' : '+');
        if (shown < 0) shown = -shown;
        if (shown < 10) out.push_back('0');
        char exp_text[8];
        const auto end = std::to_chars(exp_text, exp_text + sizeof exp_text, shown).ptr;
        out.append(exp_text, static_cast<std::size_t>(end - exp_text));
    } else if (decpt <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-decpt), '0');
        out.append(digits, ndigits);
    } else {
        const auto point = static_cast<std::size_t>(decpt);
        if (point >= ndigits) {
            out.append(digits, ndigits);
            out.append(point - ndigits, '0');
        } else {
            out.append(digits, point);
            out.push_back('.');
            out.append(digits + point, ndigits - point);
        }
    }
}

void write_json(const Value& value, std::string& out) {
    switch (value.kind()) {
        case Kind::null:
            out += "null";
            return;
        case Kind::false_:
            out += "false";
            return;
        case Kind::true_:
            out += "true";
            return;
        case Kind::number: {
            const std::string_view text = value.number_text();
            if (!text.empty()) {
                out += text;
            } else {
                write_json_number(value.as_number(), out);
            }
            return;
        }
        case Kind::string:
            write_json_string(value.as_string(), out);
            return;
        case Kind::array: {
            out.push_back('[');
            bool first = true;
            for (const Value& item : value.as_array()) {
                if (!first) out.push_back(',');
                first = false;
                write_json(item, out);
            }
            out.push_back(']');
            return;
        }
        case Kind::object: {
            out.push_back('{');
            bool first = true;
            for (const auto& [key, member] : value.as_object()) {
                if (!first) out.push_back(',');
                first = false;
                write_json_string(key, out);
                out.push_back(':');
                write_json(member, out);
            }
            out.push_back('}');
            return;
        }
    }
}

std::string to_json(const Value& value) {
    std::string out;
    write_json(value, out);
    return out;
}

std::string dump_truncated(const Value& value, std::size_t buffer_size) {
    std::string text = to_json(value);
    if (text.size() > buffer_size - 1) {
        text.resize(buffer_size - 1);
        if (buffer_size >= 4) text.replace(buffer_size - 4, 3, "...");
    }
    return text;
}

}  // namespace kpipe::filter
