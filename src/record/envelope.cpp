#include "record/envelope.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "record/base64.hpp"

namespace kpipe::record {
namespace {

using simdjson::ondemand::json_type;

// ---------------------------------------------------------------------------------------------
// Encoding

constexpr std::array<bool, 256> make_escape_table() {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[c] = true;
    table['"'] = true;
    table['\\'] = true;
    table[0x7f] = true;  // DEL is legal JSON, but invisible and terminal-unfriendly raw
    return table;
}
constexpr std::array<bool, 256> kNeedsEscape = make_escape_table();

void append_escape(unsigned char c, std::string& out) {
    switch (c) {
        case '"':
            out += "\\\"";
            return;
        case '\\':
            out += "\\\\";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\b':
            out += "\\b";
            return;
        case '\f':
            out += "\\f";
            return;
        default: {
            constexpr char kHex[] = "0123456789abcdef";
            const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
            out.append(escape, sizeof escape);
        }
    }
}

// `text` must be UTF-8. Runs of bytes that need no escape are appended in bulk.
void append_json_string(std::string_view text, std::string& out) {
    out.push_back('"');
    const char* run = text.data();
    const char* const end = run + text.size();
    for (const char* p = run; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (!kNeedsEscape[c]) continue;
        out.append(run, p);
        append_escape(c, out);
        run = p + 1;
    }
    out.append(run, end);
    out.push_back('"');
}

void append_integer(std::int64_t number, std::string& out) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, number);
    out.append(digits, result.ptr);
}

bool is_utf8(std::string_view bytes) {
    return simdjson::validate_utf8(bytes.data(), bytes.size());
}

// `"name":"text"` when the bytes are UTF-8, `"name_b64":"base64"` otherwise.
void append_bytes_field(std::string_view name, std::string_view bytes, std::string& out) {
    out.push_back('"');
    out.append(name);
    if (is_utf8(bytes)) {
        out.append("\":");
        append_json_string(bytes, out);
    } else {
        out.append("_b64\":\"");
        append_base64(bytes, out);
        out.push_back('"');
    }
}

std::string_view timestamp_type_json(TimestampType type) {
    switch (type) {
        case TimestampType::create_time:
            return "\"create\"";
        case TimestampType::log_append_time:
            return "\"log_append\"";
        case TimestampType::not_available:
            break;
    }
    return "null";
}

// An embedded value sits one level below the envelope object, so it must leave one level of the
// decoder's depth limit free.
constexpr std::size_t kMaxEmbeddedDepth = simdjson::DEFAULT_MAX_DEPTH - 1;

// ---------------------------------------------------------------------------------------------
// Decoding

// Names a field in error messages; built into a string only when there is an error.
struct FieldPath {
    std::string_view name;
    std::ptrdiff_t header_index = -1;  // >= 0: a field of headers[header_index]

    std::string str() const {
        if (header_index < 0) return std::string(name);
        std::string path = "headers[" + std::to_string(header_index) + "]";
        if (!name.empty()) {
            path += '.';
            path += name;
        }
        return path;
    }
};

std::string_view type_name(json_type type) {
    switch (type) {
        case json_type::array:
            return "an array";
        case json_type::object:
            return "an object";
        case json_type::number:
            return "a number";
        case json_type::string:
            return "a string";
        case json_type::boolean:
            return "a boolean";
        case json_type::null:
            return "null";
    }
    return "an unknown value";
}

Error invalid_json(simdjson::error_code error) {
    return Error{std::string("envelope is not valid JSON: ") + simdjson::error_message(error)};
}

Error field_error(const FieldPath& field, std::string_view problem) {
    std::string message = "envelope field '" + field.str() + "' ";
    message += problem;
    return Error{std::move(message)};
}

// A value of the wrong kind is the field's problem; any other simdjson error means the JSON
// itself is broken at that field.
Error field_error(const FieldPath& field, std::string_view expectation,
                  simdjson::error_code error) {
    if (error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_ERROR ||
        error == simdjson::NUMBER_OUT_OF_RANGE) {
        return field_error(field, "must be " + std::string(expectation));
    }
    return Error{"envelope is not valid JSON at field '" + field.str() +
                 "': " + simdjson::error_message(error)};
}

Error wrong_type(const FieldPath& field, std::string_view expectation, json_type actual) {
    std::string problem = "must be ";
    problem += expectation;
    problem += " (got ";
    problem += type_name(actual);
    problem += ')';
    return field_error(field, problem);
}

std::string_view trim_trailing_whitespace(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                             text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

// type() only peeks at the first byte; this checks that "n…" really is `null`.
simdjson::error_code expect_null(simdjson::ondemand::value& value) {
    bool is_null = false;
    if (auto error = value.is_null().get(is_null)) return error;
    return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
}

std::string& emplace_if_empty(std::optional<std::string>& slot) {
    if (!slot) slot.emplace();
    return *slot;
}

Status read_integer(const FieldPath& field, simdjson::ondemand::value& value, std::int64_t min,
                    std::int64_t max, std::int64_t null_value, std::int64_t& target) {
    json_type type;
    if (auto error = value.type().get(type)) return field_error(field, "an integer", error);
    if (type == json_type::null) {
        if (auto error = expect_null(value)) return field_error(field, "an integer or null", error);
        target = null_value;
        return ok();
    }
    std::int64_t number = 0;
    if (auto error = value.get_int64().get(number)) {
        return field_error(field, "an integer or null", error);
    }
    if (number < min || number > max) return field_error(field, "is out of range");
    target = number;
    return ok();
}

Status read_string(const FieldPath& field, simdjson::ondemand::value& value, std::string& target) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) return field_error(field, "a string", error);
    target.assign(text);
    return ok();
}

// A "_b64" field: base64 text decoded into `target`.
Status read_base64(const FieldPath& field, simdjson::ondemand::value& value, std::string& target) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) {
        return field_error(field, "a base64 string", error);
    }
    if (!decode_base64(text, target)) return field_error(field, "is not valid base64");
    return ok();
}

// A text field that may be null: a header value, or a record key.
Status read_nullable_string(const FieldPath& field, simdjson::ondemand::value& value,
                            std::optional<std::string>& target) {
    json_type type;
    if (auto error = value.type().get(type)) return field_error(field, "a string or null", error);
    if (type == json_type::null) {
        if (auto error = expect_null(value)) return field_error(field, "a string or null", error);
        target.reset();
        return ok();
    }
    if (type != json_type::string) {
        std::string expectation = "a string or null; for bytes that are not UTF-8 use '";
        expectation += field.name;
        expectation += "_b64'";
        return wrong_type(field, expectation, type);
    }
    return read_string(field, value, emplace_if_empty(target));
}

Status conflicting_fields(const FieldPath& field) {
    return field_error(field,
                       "and '" + std::string(field.name) + "_b64' are both present; keep one");
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct EnvelopeEncoder::Parsers {
    Parsers() {
        if (validator.allocate(simdjson::dom::MINIMAL_DOCUMENT_CAPACITY, kMaxEmbeddedDepth)) {
            throw std::bad_alloc();
        }
    }

    // Raw embedding must give the decoder back the exact bytes, so the value has to be one
    // JSON object or array on one line with nothing around it.
    bool embeds_as_json(std::string_view value) {
        if (value.size() < 2) return false;
        const char first = value.front();
        const char last = value.back();
        if (!((first == '{' && last == '}') || (first == '[' && last == ']'))) return false;
        if (std::memchr(value.data(), '\n', value.size()) != nullptr) return false;
        if (std::memchr(value.data(), '\r', value.size()) != nullptr) return false;
        return validator.parse(value.data(), value.size(), true).error() == simdjson::SUCCESS;
    }

    simdjson::dom::parser validator;
};

EnvelopeEncoder::EnvelopeEncoder() : parsers_(std::make_unique<Parsers>()) {}
EnvelopeEncoder::~EnvelopeEncoder() = default;
EnvelopeEncoder::EnvelopeEncoder(EnvelopeEncoder&&) noexcept = default;
EnvelopeEncoder& EnvelopeEncoder::operator=(EnvelopeEncoder&&) noexcept = default;

void EnvelopeEncoder::encode(const RecordView& record, std::string& out) {
    // Kafka restricts topic names to [a-zA-Z0-9._-], so the topic is always a plain string.
    out.append("{\"topic\":");
    append_json_string(record.topic, out);
    out.append(",\"partition\":");
    append_integer(record.partition, out);
    out.append(",\"offset\":");
    append_integer(record.offset, out);
    out.append(",\"timestamp\":");
    if (record.timestamp_ms < 0) {
        out.append("null");
    } else {
        append_integer(record.timestamp_ms, out);
    }
    out.append(",\"timestamp_type\":");
    out.append(timestamp_type_json(record.timestamp_type));

    out.push_back(',');
    if (record.key) {
        append_bytes_field("key", *record.key, out);
    } else {
        out.append("\"key\":null");
    }

    out.append(",\"headers\":[");
    for (std::size_t i = 0; i < record.headers.size(); ++i) {
        const HeaderView& header = record.headers[i];
        out.append(i == 0 ? "{" : ",{");
        append_bytes_field("key", header.name, out);
        out.push_back(',');
        if (header.value) {
            append_bytes_field("value", *header.value, out);
        } else {
            out.append("\"value\":null");
        }
        out.push_back('}');
    }
    out.append("],");

    if (!record.value) {
        out.append("\"value\":null");
    } else if (parsers_->embeds_as_json(*record.value)) {
        out.append("\"value\":");
        out.append(*record.value);
    } else {
        append_bytes_field("value", *record.value, out);
    }
    out.push_back('}');
}

// ---------------------------------------------------------------------------------------------

struct EnvelopeDecoder::Parsers {
    Status decode(std::string_view input, Record& out);
    Status read_value(simdjson::ondemand::value& value, std::optional<std::string>& target);
    Status read_headers(simdjson::ondemand::value& value, std::vector<Header>& headers);
    Status read_header(simdjson::ondemand::object& object, std::ptrdiff_t index, Header& header);

    simdjson::ondemand::parser envelope;
    // On-demand skips over an embedded object without checking it, so it is validated apart.
    simdjson::dom::parser validator;
    std::string line;  // the input, copied with SIMDJSON_PADDING spare bytes after it
};

EnvelopeDecoder::EnvelopeDecoder() : parsers_(std::make_unique<Parsers>()) {}
EnvelopeDecoder::~EnvelopeDecoder() = default;
EnvelopeDecoder::EnvelopeDecoder(EnvelopeDecoder&&) noexcept = default;
EnvelopeDecoder& EnvelopeDecoder::operator=(EnvelopeDecoder&&) noexcept = default;

Status EnvelopeDecoder::decode(std::string_view line, Record& out) {
    return parsers_->decode(line, out);
}

Status EnvelopeDecoder::Parsers::decode(std::string_view input, Record& out) {
    if (line.capacity() < input.size() + simdjson::SIMDJSON_PADDING) {
        line.reserve(input.size() + simdjson::SIMDJSON_PADDING);
    }
    line.assign(input);

    simdjson::ondemand::document document;
    if (auto error = envelope.iterate(line.data(), line.size(), line.capacity()).get(document)) {
        return invalid_json(error);
    }
    json_type type;
    if (auto error = document.type().get(type)) return invalid_json(error);
    if (type != json_type::object) {
        return Error{"envelope is not a JSON object (got " + std::string(type_name(type)) + ")"};
    }
    simdjson::ondemand::object object;
    if (auto error = document.get_object().get(object)) return invalid_json(error);

    out.topic.clear();
    out.partition = -1;
    out.offset = -1;
    out.timestamp_ms = -1;
    out.timestamp_type = TimestampType::not_available;
    bool has_key = false;
    bool has_key_b64 = false;
    bool has_value = false;
    bool has_value_b64 = false;
    bool has_headers = false;

    for (auto field_result : object) {
        simdjson::ondemand::field field;
        if (auto error = std::move(field_result).get(field)) return invalid_json(error);
        std::string_view name;
        if (auto error = field.unescaped_key().get(name)) return invalid_json(error);
        simdjson::ondemand::value& value = field.value();
        const FieldPath path{name};

        Status status = ok();
        if (name == "topic") {
            json_type topic_type;
            if (auto error = value.type().get(topic_type)) {
                return field_error(path, "a string", error);
            }
            if (topic_type == json_type::null) {
                if (auto error = expect_null(value)) return field_error(path, "a string", error);
                out.topic.clear();
            } else {
                status = read_string(path, value, out.topic);
            }
        } else if (name == "partition") {
            std::int64_t partition = -1;
            status = read_integer(path, value, std::numeric_limits<std::int32_t>::min(),
                                  std::numeric_limits<std::int32_t>::max(), -1, partition);
            out.partition = static_cast<std::int32_t>(partition);
        } else if (name == "offset") {
            status = read_integer(path, value, std::numeric_limits<std::int64_t>::min(),
                                  std::numeric_limits<std::int64_t>::max(), -1, out.offset);
        } else if (name == "timestamp") {
            status = read_integer(path, value, std::numeric_limits<std::int64_t>::min(),
                                  std::numeric_limits<std::int64_t>::max(), -1, out.timestamp_ms);
        } else if (name == "timestamp_type") {
            constexpr std::string_view kExpectation = R"("create", "log_append" or null)";
            json_type kind;
            if (auto error = value.type().get(kind)) return field_error(path, kExpectation, error);
            std::string_view text;
            if (kind == json_type::null) {
                if (auto error = expect_null(value)) return field_error(path, kExpectation, error);
                out.timestamp_type = TimestampType::not_available;
            } else if (auto error = value.get_string().get(text)) {
                return field_error(path, kExpectation, error);
            } else if (text == "create") {
                out.timestamp_type = TimestampType::create_time;
            } else if (text == "log_append") {
                out.timestamp_type = TimestampType::log_append_time;
            } else {
                return field_error(path, "must be " + std::string(kExpectation));
            }
        } else if (name == "key") {
            has_key = true;
            status = read_nullable_string(path, value, out.key);
        } else if (name == "key_b64") {
            has_key_b64 = true;
            status = read_base64(path, value, emplace_if_empty(out.key));
        } else if (name == "value") {
            has_value = true;
            status = read_value(value, out.value);
        } else if (name == "value_b64") {
            has_value_b64 = true;
            status = read_base64(path, value, emplace_if_empty(out.value));
        } else if (name == "headers") {
            has_headers = true;
            status = read_headers(value, out.headers);
        }
        if (!status) return status;
    }

    // On-demand stops reading at the object's end, so trailing content must be looked for.
    const char* trailing = nullptr;
    if (auto error = document.current_location().get(trailing); error != simdjson::OUT_OF_BOUNDS) {
        return Error{"envelope has content after its closing '}'"};
    }

    if (has_key && has_key_b64) return conflicting_fields(FieldPath{"key"});
    if (!has_key && !has_key_b64) out.key.reset();
    if (has_value && has_value_b64) return conflicting_fields(FieldPath{"value"});
    if (!has_value && !has_value_b64) {
        return Error{
            "envelope has no 'value' or 'value_b64' field (use \"value\":null for a tombstone)"};
    }
    if (!has_headers) out.headers.clear();
    return ok();
}

// "value" is lenient for hand-written envelopes: any JSON becomes the bytes of its text, except
// that a string is unescaped and null is a tombstone.
Status EnvelopeDecoder::Parsers::read_value(simdjson::ondemand::value& value,
                                            std::optional<std::string>& target) {
    const FieldPath path{"value"};
    constexpr std::string_view kExpectation = "valid JSON";
    const auto invalid = [&](simdjson::error_code error) {
        return field_error(path,
                           "is not valid JSON (" + std::string(simdjson::error_message(error)) +
                               "); to send the bytes as they are, give them as a JSON string");
    };
    json_type type;
    if (auto error = value.type().get(type)) return field_error(path, kExpectation, error);

    std::string_view raw;
    switch (type) {
        case json_type::null:
            if (expect_null(value)) return invalid(simdjson::N_ATOM_ERROR);
            target.reset();
            return ok();
        case json_type::string:
            return read_string(path, value, emplace_if_empty(target));
        case json_type::object: {
            simdjson::ondemand::object object;
            auto error = value.get_object().get(object);
            if (!error) error = object.raw_json().get(raw);
            if (error) return field_error(path, kExpectation, error);
            break;
        }
        case json_type::array: {
            simdjson::ondemand::array array;
            auto error = value.get_array().get(array);
            if (!error) error = array.raw_json().get(raw);
            if (error) return field_error(path, kExpectation, error);
            break;
        }
        case json_type::number:
        case json_type::boolean:
            raw = value.raw_json_token();
            break;
    }
    raw = trim_trailing_whitespace(raw);
    if (auto error = validator.parse(raw.data(), raw.size(), true).error()) return invalid(error);
    emplace_if_empty(target).assign(raw);
    return ok();
}

Status EnvelopeDecoder::Parsers::read_headers(simdjson::ondemand::value& value,
                                              std::vector<Header>& headers) {
    const FieldPath path{"headers"};
    constexpr std::string_view kExpectation = R"(an array of {"key":…,"value":…} objects)";
    json_type type;
    if (auto error = value.type().get(type)) return field_error(path, kExpectation, error);
    if (type == json_type::null) {
        if (auto error = expect_null(value)) return field_error(path, kExpectation, error);
        headers.clear();
        return ok();
    }
    if (type != json_type::array) return wrong_type(path, kExpectation, type);
    simdjson::ondemand::array array;
    if (auto error = value.get_array().get(array)) return field_error(path, kExpectation, error);

    // Existing Header objects are overwritten in place so their buffers are reused.
    std::size_t count = 0;
    for (auto element_result : array) {
        const FieldPath element_path{"", static_cast<std::ptrdiff_t>(count)};
        simdjson::ondemand::value element;
        if (auto error = std::move(element_result).get(element)) {
            return field_error(element_path, "an object", error);
        }
        json_type element_type;
        if (auto error = element.type().get(element_type)) {
            return field_error(element_path, "an object", error);
        }
        if (element_type != json_type::object) {
            return wrong_type(element_path, R"(an object {"key":…,"value":…})", element_type);
        }
        simdjson::ondemand::object object;
        if (auto error = element.get_object().get(object)) {
            return field_error(element_path, "an object", error);
        }
        if (count == headers.size()) headers.emplace_back();
        if (auto status = read_header(object, element_path.header_index, headers[count]); !status) {
            return status;
        }
        ++count;
    }
    headers.resize(count);
    return ok();
}

Status EnvelopeDecoder::Parsers::read_header(simdjson::ondemand::object& object,
                                             std::ptrdiff_t index, Header& header) {
    bool has_name = false;
    bool has_name_b64 = false;
    bool has_value = false;
    bool has_value_b64 = false;
    for (auto field_result : object) {
        simdjson::ondemand::field field;
        if (auto error = std::move(field_result).get(field)) return invalid_json(error);
        std::string_view name;
        if (auto error = field.unescaped_key().get(name)) return invalid_json(error);
        simdjson::ondemand::value& value = field.value();
        const FieldPath path{name, index};

        Status status = ok();
        if (name == "key") {
            has_name = true;
            status = read_string(path, value, header.name);
        } else if (name == "key_b64") {
            has_name_b64 = true;
            status = read_base64(path, value, header.name);
        } else if (name == "value") {
            has_value = true;
            status = read_nullable_string(path, value, header.value);
        } else if (name == "value_b64") {
            has_value_b64 = true;
            status = read_base64(path, value, emplace_if_empty(header.value));
        }
        if (!status) return status;
    }

    if (has_name && has_name_b64) return conflicting_fields(FieldPath{"key", index});
    if (has_value && has_value_b64) return conflicting_fields(FieldPath{"value", index});
    if (!has_name && !has_name_b64) {
        return field_error(FieldPath{"", index}, "has no 'key' (the header name)");
    }
    if (!has_value && !has_value_b64) {
        return field_error(FieldPath{"", index},
                           "has no 'value' or 'value_b64' (use \"value\":null for a null value)");
    }
    return ok();
}

}  // namespace kpipe::record
