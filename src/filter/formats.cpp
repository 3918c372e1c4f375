// The @formats, as jq 1.7 defines them: @text @json @html @uri @csv @tsv @sh @base64 @base64d
// @base32 @base32d. Formats other than @json, @csv, @tsv and @sh apply to tostring of the input.

#include <array>
#include <cstdint>

#include "filter/builtins.hpp"
#include "filter/json_writer.hpp"
#include "filter/utf8.hpp"

namespace kpipe::filter {

namespace {

constexpr std::array<std::string_view, 11> names = {"@text", "@json",    "@html",   "@uri",
                                                   "@csv",  "@tsv",     "@sh",     "@base64",
                                                   "@base64d", "@base32", "@base32d"};

std::string text_of(const Value& v) {
    return v.is_string() ? v.as_string() : to_json(v);
}

std::string base64_encode(const std::string& in) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                                (static_cast<unsigned char>(in[i + 1]) << 8) |
                                static_cast<unsigned char>(in[i + 2]);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += table[(n >> 6) & 63];
        out += table[n & 63];
    }
    if (i < in.size()) {
        std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += i + 1 < in.size() ? table[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string base64_decode(const Value& input) {
    const std::string in = text_of(input);
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t valid = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else if (c == '=') {
            break;
        } else {
            raise(kind_and_value(input) + " is not valid base64 data");
        }
        ++valid;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    if (valid % 4 == 1) raise(kind_and_value(input) + " trailing base64 byte found");
    return replace_invalid_utf8(out);
}

std::string base32_encode(const std::string& in) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 5) {
        std::uint64_t n = 0;
        const std::size_t chunk = std::min<std::size_t>(5, in.size() - i);
        for (std::size_t k = 0; k < 5; ++k) {
            n = (n << 8) | (k < chunk ? static_cast<unsigned char>(in[i + k]) : 0u);
        }
        static constexpr std::size_t emitted[] = {0, 2, 4, 5, 7, 8};
        for (std::size_t k = 0; k < 8; ++k) {
            out += k < emitted[chunk] ? table[(n >> (35 - 5 * k)) & 31] : '=';
        }
    }
    return out;
}

std::string base32_decode(const Value& input) {
    const std::string in = text_of(input);
    std::string out;
    std::uint64_t buffer = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a';
        } else if (c >= '2' && c <= '7') {
            v = c - '2' + 26;
        } else if (c == '=') {
            break;
        } else {
            raise(kind_and_value(input) + " is not valid base32 data");
        }
        buffer = (buffer << 5) | static_cast<std::uint64_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return replace_invalid_utf8(out);
}

std::string csv_or_tsv(const Value& input, bool csv) {
    const char* what = csv ? "csv" : "tsv";
    if (!input.is_array()) {
        raise(kind_and_value(input) + " cannot be " + what + "-formatted, only an array can be");
    }
    std::string out;
    bool first = true;
    for (const Value& item : input.as_array()) {
        if (!first) out += csv ? ',' : '\t';
        first = false;
        switch (item.kind()) {
            case Kind::null:
                break;
            case Kind::true_:
            case Kind::false_:
            case Kind::number:
                out += to_json(item);
                break;
            case Kind::string: {
                const std::string& s = item.as_string();
                if (csv) {
                    out += '"';
                    for (char c : s) {
                        if (c == '"') out += '"';
                        out += c;
                    }
                    out += '"';
                } else {
                    for (char c : s) {
                        switch (c) {
                            case '\\':
                                out += "\\\\";
                                break;
                            case '\t':
                                out += "\\t";
                                break;
                            case '\n':
                                out += "\\n";
                                break;
                            case '\r':
                                out += "\\r";
                                break;
                            default:
                                out += c;
                        }
                    }
                }
                break;
            }
            default:
                raise(kind_and_value(item) + " is not valid in a csv row");
        }
    }
    return out;
}

std::string shell_quote(const Value& input) {
    auto one = [](const Value& v) -> std::string {
        switch (v.kind()) {
            case Kind::string: {
                std::string out = "'";
                for (char c : v.as_string()) {
                    if (c == '\'') {
                        out += "'\\''";
                    } else {
                        out += c;
                    }
                }
                return out + "'";
            }
            case Kind::array:
            case Kind::object:
                raise(kind_and_value(v) + " can not be escaped for shell");
            default:
                return to_json(v);
        }
    };
    if (!input.is_array()) return one(input);
    std::string out;
    bool first = true;
    for (const Value& item : input.as_array()) {
        if (!first) out += ' ';
        first = false;
        out += one(item);
    }
    return out;
}

std::string html_escape(const std::string& in) {
    std::string out;
    for (char c : in) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string uri_escape(const std::string& in) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : in) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            u == '-' || u == '_' || u == '.' || u == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

}  // namespace

bool is_format_name(std::string_view name) {
    for (std::string_view n : names) {
        if (n == name) return true;
    }
    return false;
}

std::string_view format_names() {
    return "@text @json @html @uri @csv @tsv @sh @base64 @base64d @base32 @base32d";
}

Value apply_format(std::string_view name, const Value& value) {
    if (name == "@text") return to_string(value);
    if (name == "@json") return Value::string(to_json(value));
    if (name == "@html") return Value::string(html_escape(text_of(value)));
    if (name == "@uri") return Value::string(uri_escape(text_of(value)));
    if (name == "@csv") return Value::string(csv_or_tsv(value, true));
    if (name == "@tsv") return Value::string(csv_or_tsv(value, false));
    if (name == "@sh") return Value::string(shell_quote(value));
    if (name == "@base64") return Value::string(base64_encode(text_of(value)));
    if (name == "@base64d") return Value::string(base64_decode(value));
    if (name == "@base32") return Value::string(base32_encode(text_of(value)));
    if (name == "@base32d") return Value::string(base32_decode(value));
    raise(std::string(name.substr(1)) + " is not a valid format");
}

}  // namespace kpipe::filter
