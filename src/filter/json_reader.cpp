#include "filter/json_reader.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace kpipe::filter {

namespace {

using simdjson::ondemand::json_type;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// A token for an error message: short, and without bytes that would break the line.
std::string quoted_token(std::string_view token) {
    std::string out = "'";
    for (char c : token.substr(0, 32))
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    if (token.size() > 32) out += "...";
    out += "'";
    return out;
}

class DocumentBuilder {
  public:
    const std::string& error() const { return error_; }

    bool read_value(simdjson::ondemand::value value, int depth, Value& out) {
        json_type type;
        if (auto e = value.type().get(type)) return fail(e);
        switch (type) {
            case json_type::array:
                return read_array(value, depth, out);
            case json_type::object:
                return read_object(value, depth, out);
            case json_type::string: {
                std::string_view text;
                if (auto e = value.get_string().get(text)) return fail(e);
                out = Value::string(std::string(text));
                return true;
            }
            default:
                return read_atom(type, trim_trailing_whitespace(value.raw_json_token()), out);
        }
    }

    bool read_atom(json_type type, std::string_view token, Value& out) {
        if (!is_valid_atom(type, token)) {
            return fail(
                (type == json_type::number ? "Invalid numeric literal " : "Invalid literal ") +
                quoted_token(token));
        }
        if (type == json_type::number) {
            out = Value::number(parse_json_number(token), token);
        } else if (type == json_type::boolean) {
            out = Value::boolean(token == "true");
        } else {
            out = Value();
        }
        return true;
    }

    bool fail(simdjson::error_code error) {
        return fail(std::string(simdjson::error_message(error)));
    }
    bool fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return false;
    }

  private:
    bool read_array(simdjson::ondemand::value value, int depth, Value& out) {
        if (depth + 1 > max_input_depth) return fail("Exceeds depth limit for parsing");
        simdjson::ondemand::array array;
        if (auto e = value.get_array().get(array)) return fail(e);
        Array items;
        for (auto element : array) {
            simdjson::ondemand::value item;
            if (auto e = element.get(item)) return fail(e);
            Value parsed;
            if (!read_value(item, depth + 1, parsed)) return false;
            items.push_back(std::move(parsed));
        }
        out = Value::array(std::move(items));
        return true;
    }

    bool read_object(simdjson::ondemand::value value, int depth, Value& out) {
        if (depth + 1 > max_input_depth) return fail("Exceeds depth limit for parsing");
        simdjson::ondemand::object object;
        if (auto e = value.get_object().get(object)) return fail(e);
        Object members;
        for (auto result : object) {
            simdjson::ondemand::field field;
            if (auto e = std::move(result).get(field)) return fail(e);
            std::string_view key;
            if (auto e = field.unescaped_key().get(key)) return fail(e);
            std::string owned_key(key);
            Value parsed;
            if (!read_value(field.value(), depth + 1, parsed)) return false;
            members.set(std::move(owned_key), std::move(parsed));
        }
        out = Value::object(std::move(members));
        return true;
    }

    std::string error_;
};

}  // namespace

std::string_view trim_trailing_whitespace(std::string_view token) {
    while (!token.empty() && is_json_whitespace(token.back())) token.remove_suffix(1);
    return token;
}

bool is_json_number(std::string_view text) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    if (i < n && text[i] == '-') ++i;
    if (i >= n) return false;
    if (text[i] == '0') {
        ++i;
    } else if (is_digit(text[i])) {
        while (i < n && is_digit(text[i])) ++i;
    } else {
        return false;
    }
    if (i < n && text[i] == '.') {
        ++i;
        if (i >= n || !is_digit(text[i])) return false;
        while (i < n && is_digit(text[i])) ++i;
    }
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
        if (i >= n || !is_digit(text[i])) return false;
        while (i < n && is_digit(text[i])) ++i;
    }
    return i == n;
}

double parse_json_number(std::string_view text) {
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc::result_out_of_range) return value;
    // Out of range: decide between overflow and underflow from the decimal exponent.
    const bool negative = !text.empty() && text.front() == '-';
    long magnitude = 0;  // position of the first significant digit relative to the point
    bool seen_nonzero = false;
    bool after_point = false;
    std::size_t i = negative ? 1 : 0;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        if (text[i] == '.') {
            after_point = true;
            continue;
        }
        if (!seen_nonzero) {
            if (text[i] != '0') {
                seen_nonzero = true;
                if (!after_point) ++magnitude;
            } else if (after_point) {
                --magnitude;
            }
        } else if (!after_point) {
            ++magnitude;
        }
    }
    long exponent = 0;
    if (i < text.size()) {
        std::string_view digits = text.substr(i + 1);
        const bool exponent_negative = !digits.empty() && digits.front() == '-';
        if (!digits.empty() && (digits.front() == '-' || digits.front() == '+'))
            digits.remove_prefix(1);
        for (char c : digits) {
            exponent = std::min(exponent * 10 + (c - '0'), 1L << 40);
        }
        if (exponent_negative) exponent = -exponent;
    }
    const bool overflow = seen_nonzero && magnitude + exponent > 0;
    const double magnitude_value = overflow ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -magnitude_value : magnitude_value;
}

bool is_valid_atom(json_type type, std::string_view token) {
    switch (type) {
        case json_type::number:
            return is_json_number(token);
        case json_type::boolean:
            return token == "true" || token == "false";
        case json_type::null:
            return token == "null";
        default:
            return false;
    }
}

std::optional<std::string> read_document(simdjson::ondemand::parser& parser,
                                         simdjson::padded_string_view json, Value& out) {
    DocumentBuilder builder;
    simdjson::ondemand::document document;
    if (auto e = parser.iterate(json).get(document)) {
        builder.fail(e);
        return builder.error();
    }
    json_type type;
    if (auto e = document.type().get(type)) {
        builder.fail(e);
        return builder.error();
    }
    if (type == json_type::array || type == json_type::object) {
        simdjson::ondemand::value root;
        if (auto e = document.get_value().get(root)) {
            builder.fail(e);
            return builder.error();
        }
        if (!builder.read_value(root, 0, out)) return builder.error();
        const char* location = nullptr;
        if (!document.current_location().get(location)) {
            return std::string(
                "Unexpected extra JSON values (a record holds exactly one document)");
        }
        return std::nullopt;
    }

    // A scalar document: On-Demand leaves what follows the token to us.
    std::string_view token;
    if (auto e = document.raw_json_token().get(token)) {
        builder.fail(e);
        return builder.error();
    }
    // The token itself first, so that `nope x` is named as a bad literal, not as extra values.
    if (type == json_type::string) {
        std::string_view text;
        if (auto e = document.get_string().get(text)) {
            builder.fail(e);
            return builder.error();
        }
        out = Value::string(std::string(text));
    } else if (!builder.read_atom(type, trim_trailing_whitespace(token), out)) {
        return builder.error();
    }
    const std::string_view whole(json.data(), json.length());
    for (std::size_t i = static_cast<std::size_t>(token.data() - whole.data()) + token.size();
         i < whole.size(); ++i) {
        if (!is_json_whitespace(whole[i])) {
            return std::string(
                "Unexpected extra JSON values (a record holds exactly one document)");
        }
    }
    return std::nullopt;
}

}  // namespace kpipe::filter
