#include "record/envelope.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using kpipe::record::EnvelopeDecoder;
using kpipe::record::EnvelopeEncoder;
using kpipe::record::HeaderView;
using kpipe::record::Record;
using kpipe::record::RecordView;
using kpipe::record::TimestampType;
using namespace std::string_literals;

namespace {

std::string encode(const RecordView& record) {
    EnvelopeEncoder encoder;
    std::string out;
    encoder.encode(record, out);
    return out;
}

// What follows the fixed fields of a record with topic "t" and nothing else set.
constexpr std::string_view kBarePrefix =
    R"({"topic":"t","partition":-1,"offset":-1,"timestamp":null,"timestamp_type":null,)"
    R"("key":null,"headers":[],)";

std::string encode_value(std::optional<std::string_view> value) {
    RecordView record;
    record.topic = "t";
    record.value = value;
    std::string line = encode(record);
    REQUIRE(line.substr(0, kBarePrefix.size()) == kBarePrefix);
    return line.substr(kBarePrefix.size());
}

Record decode(std::string_view line) {
    EnvelopeDecoder decoder;
    Record record;
    const auto status = decoder.decode(line, record);
    INFO(line);
    INFO((status ? "" : status.error().message));
    REQUIRE(status);
    return record;
}

std::string decode_error(std::string_view line) {
    EnvelopeDecoder decoder;
    Record record;
    const auto status = decoder.decode(line, record);
    INFO(line);
    REQUIRE_FALSE(status);
    return status.error().message;
}

void check_same(const RecordView& expected, const Record& actual) {
    CHECK(actual.topic == expected.topic);
    CHECK(actual.partition == expected.partition);
    CHECK(actual.offset == expected.offset);
    CHECK(actual.timestamp_ms == (expected.timestamp_ms < 0 ? -1 : expected.timestamp_ms));
    CHECK(actual.timestamp_type == expected.timestamp_type);
    REQUIRE(actual.key.has_value() == expected.key.has_value());
    if (expected.key) CHECK(*actual.key == *expected.key);
    REQUIRE(actual.value.has_value() == expected.value.has_value());
    if (expected.value) CHECK(*actual.value == *expected.value);
    REQUIRE(actual.headers.size() == expected.headers.size());
    for (std::size_t i = 0; i < expected.headers.size(); ++i) {
        CHECK(actual.headers[i].name == expected.headers[i].name);
        REQUIRE(actual.headers[i].value.has_value() == expected.headers[i].value.has_value());
        if (expected.headers[i].value)
            CHECK(*actual.headers[i].value == *expected.headers[i].value);
    }
}

void check_round_trip(const RecordView& record) {
    const std::string line = encode(record);
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
    check_same(record, decode(line));
}

void check_value_round_trip(std::optional<std::string_view> value) {
    RecordView record;
    record.topic = "t";
    record.value = value;
    check_round_trip(record);
}

std::string all_byte_values() {
    std::string bytes;
    for (int byte = 0; byte < 256; ++byte) bytes.push_back(static_cast<char>(byte));
    return bytes;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoding: the exact format

TEST_CASE("envelope encodes every field in the documented order", "[record]") {
    const std::vector<HeaderView> headers = {{"h", "v"}, {"n", std::nullopt}, {"b", "\xff\xfe"}};
    RecordView record;
    record.topic = "t";
    record.partition = 0;
    record.offset = 42;
    record.timestamp_ms = 1694479551000;
    record.timestamp_type = TimestampType::create_time;
    record.key = "k";
    record.value = R"({"a":1})";
    record.headers = headers;
    CHECK(encode(record) ==
          R"({"topic":"t","partition":0,"offset":42,"timestamp":1694479551000,)"
          R"("timestamp_type":"create","key":"k","headers":[{"key":"h","value":"v"},)"
          R"({"key":"n","value":null},{"key":"b","value_b64":"//4="}],"value":{"a":1}})");
}

TEST_CASE("envelope writes null for a missing timestamp, null key and tombstone", "[record]") {
    RecordView record;
    record.topic = "orders";
    record.partition = 3;
    record.offset = 7;
    CHECK(encode(record) ==
          R"({"topic":"orders","partition":3,"offset":7,"timestamp":null,"timestamp_type":null,)"
          R"("key":null,"headers":[],"value":null})");

    record.timestamp_ms = 0;
    record.timestamp_type = TimestampType::log_append_time;
    CHECK(encode(record) ==
          R"({"topic":"orders","partition":3,"offset":7,"timestamp":0,)"
          R"("timestamp_type":"log_append","key":null,"headers":[],"value":null})");
}

TEST_CASE("envelope writes a key that is not UTF-8 as key_b64", "[record]") {
    RecordView record;
    record.topic = "t";
    record.key = "\xff";
    record.value = "v";
    CHECK(encode(record) ==
          R"({"topic":"t","partition":-1,"offset":-1,"timestamp":null,"timestamp_type":null,)"
          R"("key_b64":"/w==","headers":[],"value":"v"})");
}

TEST_CASE("envelope writes a header name that is not UTF-8 as key_b64", "[record]") {
    const std::vector<HeaderView> headers = {{"\xc3", "v"}};
    RecordView record;
    record.topic = "t";
    record.headers = headers;
    record.value = "v";
    CHECK(encode(record) ==
          R"({"topic":"t","partition":-1,"offset":-1,"timestamp":null,"timestamp_type":null,)"
          R"("key":null,"headers":[{"key_b64":"ww==","value":"v"}],"value":"v"})");
}

TEST_CASE("envelope embeds a JSON object or array value as its exact bytes", "[record]") {
    CHECK(encode_value(R"({"a":1})") == R"("value":{"a":1}})");
    CHECK(encode_value(R"({ "a" : [1, 2] ,	"b":{}})") ==
          R"("value":{ "a" : [1, 2] ,	"b":{}}})");
    CHECK(encode_value("[1,2]") == R"("value":[1,2]})");
    CHECK(encode_value("[]") == R"("value":[]})");
    CHECK(encode_value("{}") == R"("value":{}})");
    CHECK(encode_value(R"({"é":"✓"})") == R"("value":{"é":"✓"}})");
}

TEST_CASE("envelope writes other values as strings, or base64 when not UTF-8", "[record]") {
    // Raw embedding would lose whitespace around the document or break the line.
    CHECK(encode_value(R"( {"a":1})") == R"("value":" {\"a\":1}"})");
    CHECK(encode_value(R"({"a":1} )") == R"("value":"{\"a\":1} "})");
    CHECK(encode_value("{\"a\":\n1}") == R"("value":"{\"a\":\n1}"})");
    CHECK(encode_value("[1,\r\n2]") == R"("value":"[1,\r\n2]"})");
    // Not JSON, or JSON that is not an object or array.
    CHECK(encode_value("{a}") == R"("value":"{a}"})");
    CHECK(encode_value("{\"a\":1}{}") == R"("value":"{\"a\":1}{}"})");
    CHECK(encode_value("null") == R"("value":"null"})");
    CHECK(encode_value("\"x\"") == R"("value":"\"x\""})");
    CHECK(encode_value("42") == R"("value":"42"})");
    CHECK(encode_value("true") == R"("value":"true"})");
    CHECK(encode_value("") == R"("value":""})");
    CHECK(encode_value("plain text") == R"("value":"plain text"})");
    CHECK(encode_value("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80") ==
          "\"value\":\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\"}");
    // Binary, truncated UTF-8 and overlong encodings are not UTF-8.
    CHECK(encode_value("\x00\x01\xff"s) == R"("value_b64":"AAH/"})");
    CHECK(encode_value("\xc3") == R"("value_b64":"ww=="})");
    CHECK(encode_value("\xc0\xaf") == R"("value_b64":"wK8="})");
    CHECK(encode_value(std::nullopt) == R"("value":null})");
}

TEST_CASE("envelope escapes quotes, backslashes, control bytes and DEL", "[record]") {
    CHECK(encode_value("q\"b\\n\nr\rt\tb\bf\f") == R"("value":"q\"b\\n\nr\rt\tb\bf\f"})");
    CHECK(encode_value("\x00\x01\x1f\x7f/"s) == R"("value":"\u0000\u0001\u001f\u007f/"})");
    RecordView record;
    record.topic = "t\"";
    record.key = "k\n";
    record.value = "v";
    const std::vector<HeaderView> headers = {{"h\t", "\x7f"}};
    record.headers = headers;
    CHECK(encode(record) ==
          R"({"topic":"t\"","partition":-1,"offset":-1,"timestamp":null,"timestamp_type":null,)"
          R"("key":"k\n","headers":[{"key":"h\t","value":"\u007f"}],"value":"v"})");
}

TEST_CASE("envelope encoder appends to its output", "[record]") {
    EnvelopeEncoder encoder;
    RecordView record;
    record.topic = "t";
    record.value = "[1]";
    std::string out = "before ";
    encoder.encode(record, out);
    encoder.encode(record, out);
    const std::string one = std::string(kBarePrefix) + R"("value":[1]})";
    CHECK(out == "before " + one + one);
}

// ---------------------------------------------------------------------------------------------
// Decoding

TEST_CASE("envelope decodes the documented example", "[record]") {
    const Record record =
        decode(R"({"topic":"t","partition":0,"offset":42,"timestamp":1694479551000,)"
               R"("timestamp_type":"create","key":"k","headers":[{"key":"h","value":"v"},)"
               R"({"key":"n","value":null},{"key":"b","value_b64":"AAE="}],"value":{"a":1}})");
    CHECK(record.topic == "t");
    CHECK(record.partition == 0);
    CHECK(record.offset == 42);
    CHECK(record.timestamp_ms == 1694479551000);
    CHECK(record.timestamp_type == TimestampType::create_time);
    CHECK(record.key == "k");
    CHECK(record.value == R"({"a":1})");
    REQUIRE(record.headers.size() == 3);
    CHECK(record.headers[0].name == "h");
    CHECK(record.headers[0].value == "v");
    CHECK(record.headers[1].name == "n");
    CHECK_FALSE(record.headers[1].value.has_value());
    CHECK(record.headers[2].name == "b");
    CHECK(record.headers[2].value == "\x00\x01"s);
}

TEST_CASE("envelope decodes fields in any order and ignores unknown ones", "[record]") {
    const Record record =
        decode(R"( { "value" : [ 1 , 2 ] , "extra" : {"deep":[{"x":null}]}, "key" : "k", )"
               R"("timestamp_type":"log_append","headers":[{"value":"v","note":1,"key":"h"}],)"
               R"("timestamp":5,"offset":9,"partition":2,"topic":"x","more":[1,"2"]}  )");
    CHECK(record.value == "[ 1 , 2 ]");
    CHECK(record.key == "k");
    CHECK(record.timestamp_type == TimestampType::log_append_time);
    CHECK(record.timestamp_ms == 5);
    CHECK(record.offset == 9);
    CHECK(record.partition == 2);
    CHECK(record.topic == "x");
    REQUIRE(record.headers.size() == 1);
    CHECK(record.headers[0].name == "h");
    CHECK(record.headers[0].value == "v");
}

TEST_CASE("envelope decoding defaults missing fields", "[record]") {
    const Record record = decode(R"({"value":"v"})");
    CHECK(record.topic.empty());
    CHECK(record.partition == -1);
    CHECK(record.offset == -1);
    CHECK(record.timestamp_ms == -1);
    CHECK(record.timestamp_type == TimestampType::not_available);
    CHECK_FALSE(record.key.has_value());
    CHECK(record.headers.empty());
    CHECK(record.value == "v");

    const Record nulls = decode(R"({"topic":null,"partition":null,"offset":null,"timestamp":null,)"
                                R"("timestamp_type":null,"key":null,"headers":null,"value":null})");
    CHECK(nulls.topic.empty());
    CHECK(nulls.partition == -1);
    CHECK(nulls.offset == -1);
    CHECK(nulls.timestamp_ms == -1);
    CHECK(nulls.timestamp_type == TimestampType::not_available);
    CHECK_FALSE(nulls.key.has_value());
    CHECK(nulls.headers.empty());
    CHECK_FALSE(nulls.value.has_value());
}

TEST_CASE("envelope decodes hand-written values leniently", "[record]") {
    CHECK(decode(R"({"value":42})").value == "42");
    CHECK(decode(R"({"value":-1.5e3 })").value == "-1.5e3");
    CHECK(decode(R"({"value":true})").value == "true");
    CHECK(decode(R"({"value":false})").value == "false");
    CHECK(decode(R"({"value":"caf\u00e9 \/ \"q\" \n"})").value == "caf\xc3\xa9 / \"q\" \n");
    CHECK(decode(R"({"value":"\ud83d\ude00"})").value == "\xf0\x9f\x98\x80");
    CHECK(decode(R"({"value":{"a":{"b":[]}}   ,"key":"k"})").value == R"({"a":{"b":[]}})");
    CHECK(decode(R"({"value_b64":""})").value == "");
    CHECK(decode(R"({"key_b64":"/w==","value":""})").key == "\xff");
    CHECK(decode("{\"value\":\"v\"}\r").value == "v");
}

TEST_CASE("envelope decoder reuses a record and clears what the line does not set", "[record]") {
    EnvelopeDecoder decoder;
    Record record;
    REQUIRE(decoder.decode(
        R"({"topic":"a","partition":1,"offset":2,"timestamp":3,"timestamp_type":"create",)"
        R"("key":"k","headers":[{"key":"h1","value":"1"},{"key":"h2","value":"2"}],"value":"v"})",
        record));
    REQUIRE(record.headers.size() == 2);
    REQUIRE(decoder.decode(R"({"headers":[{"key":"h3","value":null}],"value":null})", record));
    CHECK(record.topic.empty());
    CHECK(record.partition == -1);
    CHECK(record.offset == -1);
    CHECK(record.timestamp_ms == -1);
    CHECK(record.timestamp_type == TimestampType::not_available);
    CHECK_FALSE(record.key.has_value());
    REQUIRE(record.headers.size() == 1);
    CHECK(record.headers[0].name == "h3");
    CHECK_FALSE(record.headers[0].value.has_value());
    CHECK_FALSE(record.value.has_value());
    REQUIRE(decoder.decode(R"({"value":"w"})", record));
    CHECK(record.headers.empty());
    CHECK(record.value == "w");
}

// ---------------------------------------------------------------------------------------------
// Decoding errors

TEST_CASE("envelope decoding rejects lines that are not a JSON object", "[record]") {
    CHECK_THAT(decode_error(""), Catch::StartsWith("envelope is not valid JSON: "));
    CHECK_THAT(decode_error(R"({"value":"x")"), Catch::StartsWith("envelope is not valid JSON: "));
    CHECK_THAT(decode_error(R"({"value" "x"})"), Catch::StartsWith("envelope is not valid JSON: "));
    CHECK_THAT(decode_error(R"({"value":"x",})"),
               Catch::StartsWith("envelope is not valid JSON: "));
    CHECK_THAT(decode_error("{\"value\":\"\xff\"}"),
               Catch::StartsWith("envelope is not valid JSON: ") && Catch::Contains("UTF-8"));
    CHECK_THAT(decode_error("{\"value\":\"a\tb\"}"),
               Catch::StartsWith("envelope is not valid JSON: "));
    CHECK(decode_error("[1]") == "envelope is not a JSON object (got an array)");
    CHECK(decode_error(R"("text")") == "envelope is not a JSON object (got a string)");
    CHECK(decode_error("42") == "envelope is not a JSON object (got a number)");
    CHECK(decode_error(R"({"value":1}})") == "envelope has content after its closing '}'");
    CHECK(decode_error(R"({"value":1} {"value":2})") ==
          "envelope has content after its closing '}'");
}

TEST_CASE("envelope decoding names a field that is not valid base64", "[record]") {
    CHECK(decode_error(R"({"value_b64":"AAE"})") ==
          "envelope field 'value_b64' is not valid base64");
    CHECK(decode_error(R"({"key_b64":"!!!!","value":null})") ==
          "envelope field 'key_b64' is not valid base64");
    CHECK(decode_error(R"({"headers":[{"key":"h","value_b64":"A==="}],"value":null})") ==
          "envelope field 'headers[0].value_b64' is not valid base64");
    CHECK(decode_error(R"({"value_b64":5})") ==
          "envelope field 'value_b64' must be a base64 string");
}

TEST_CASE("envelope decoding requires a value", "[record]") {
    CHECK(decode_error(R"({"topic":"t","key":"k"})") ==
          R"(envelope has no 'value' or 'value_b64' field (use "value":null for a tombstone))");
    CHECK(decode_error(R"({"value":"x","value_b64":"AAE="})") ==
          "envelope field 'value' and 'value_b64' are both present; keep one");
    CHECK(decode_error(R"({"key":"x","key_b64":"AAE=","value":null})") ==
          "envelope field 'key' and 'key_b64' are both present; keep one");
}

TEST_CASE("envelope decoding names fields of the wrong type", "[record]") {
    CHECK(decode_error(R"({"value":"x","partition":1.5})") ==
          "envelope field 'partition' must be an integer or null");
    CHECK(decode_error(R"({"value":"x","partition":4294967296})") ==
          "envelope field 'partition' is out of range");
    CHECK(decode_error(R"({"value":"x","offset":"1"})") ==
          "envelope field 'offset' must be an integer or null");
    CHECK(decode_error(R"({"value":"x","timestamp":[]})") ==
          "envelope field 'timestamp' must be an integer or null");
    CHECK(decode_error(R"({"value":"x","timestamp_type":"CreateTime"})") ==
          R"(envelope field 'timestamp_type' must be "create", "log_append" or null)");
    CHECK(decode_error(R"({"value":"x","topic":1})") == "envelope field 'topic' must be a string");
    CHECK(decode_error(R"({"value":"x","key":5})") ==
          "envelope field 'key' must be a string or null; for bytes that are not UTF-8 use "
          "'key_b64' (got a number)");
    CHECK(
        decode_error(R"({"value":"x","headers":{}})") ==
        R"(envelope field 'headers' must be an array of {"key":…,"value":…} objects (got an object))");
    CHECK(decode_error(R"({"value":"x","headers":[["h","v"]]})") ==
          R"(envelope field 'headers[0]' must be an object {"key":…,"value":…} (got an array))");
    CHECK(decode_error(R"({"value":"x","headers":[{"key":"a","value":"1"},{"value":"v"}]})") ==
          "envelope field 'headers[1]' has no 'key' (the header name)");
    CHECK(
        decode_error(R"({"value":"x","headers":[{"key":"a"}]})") ==
        R"(envelope field 'headers[0]' has no 'value' or 'value_b64' (use "value":null for a null value))");
    CHECK(decode_error(R"({"value":"x","headers":[{"key":"a","value":1}]})") ==
          "envelope field 'headers[0].value' must be a string or null; for bytes that are not "
          "UTF-8 use 'value_b64' (got a number)");
}

TEST_CASE("envelope decoding rejects an embedded value that is not valid JSON", "[record]") {
    CHECK_THAT(decode_error(R"({"value":{"a":tru}})"),
               Catch::StartsWith("envelope field 'value' is not valid JSON (") &&
                   Catch::EndsWith("to send the bytes as they are, give them as a JSON string"));
    CHECK_THAT(decode_error(R"({"value":{"a":1]})"),
               Catch::StartsWith("envelope field 'value' is not valid JSON ("));
    CHECK_THAT(decode_error(R"({"value":nul})"),
               Catch::StartsWith("envelope field 'value' is not valid JSON ("));
    CHECK_THAT(decode_error(R"({"value":-})"),
               Catch::StartsWith("envelope field 'value' is not valid JSON ("));
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST_CASE("envelope round trips the documented value kinds byte for byte", "[record]") {
    check_value_round_trip(all_byte_values());
    check_value_round_trip("line one\nline two\r\n");
    check_value_round_trip(R"({ "a" : [1, 2] , "b" : { } })");
    check_value_round_trip("{\"a\":\n1}");
    check_value_round_trip(R"( {"a":1} )");
    check_value_round_trip("");
    check_value_round_trip(std::nullopt);
    check_value_round_trip("null");
    check_value_round_trip("\"x\"");
    check_value_round_trip("42");
    check_value_round_trip("true");
    check_value_round_trip("\xef\xbb\xbf{\"bom\":1}");
    check_value_round_trip(std::string(1023, '[') + std::string(1023, ']'));
    check_value_round_trip(std::string(2000, '[') + std::string(2000, ']'));
}

TEST_CASE("envelope round trips every single byte value", "[record]") {
    for (int byte = 0; byte < 256; ++byte) {
        const std::string value(1, static_cast<char>(byte));
        INFO(byte);
        check_value_round_trip(value);
    }
}

TEST_CASE("envelope round trips keys, headers, timestamps and positions", "[record]") {
    const std::string binary = all_byte_values();
    const std::vector<HeaderView> headers = {{"dup", "1"},           {"dup", "2"},
                                             {"null", std::nullopt}, {"", ""},
                                             {"bin", binary},        {binary, "name is binary"},
                                             {"dup", std::nullopt}};
    RecordView record;
    record.topic = "user-login";
    record.partition = 2147483647;
    record.offset = 9223372036854775807;
    record.timestamp_ms = 1694479551000;
    record.timestamp_type = TimestampType::log_append_time;
    record.headers = headers;
    record.value = R"({"user_id":"424cdd21","locale":"RU"})";

    record.key = std::nullopt;
    check_round_trip(record);
    record.key = "";
    check_round_trip(record);
    record.key = binary;
    check_round_trip(record);
    const std::string key_with_nul = "k\x00y"s;
    record.key = key_with_nul;
    check_round_trip(record);
    record.key = R"({"a":1})";  // a key is always written as a string
    check_round_trip(record);
    CHECK_THAT(encode(record), Catch::Contains(R"("key":"{\"a\":1}")"));
}

namespace {

// Builds random records whose bytes cover the encoder's choices: raw JSON, text, base64.
class RandomRecords {
  public:
    explicit RandomRecords(std::uint32_t seed) : random_(seed) {}

    std::string bytes() {
        switch (pick(8)) {
            case 0:
                return "";
            case 1:
                return binary();
            case 2:
                return utf8_text();
            case 3:
                return json(0);
            case 4:
                return spaced(json(0));
            case 5:
                return json_scalar();
            case 6:
                return json(0) + json(0);
            default: {
                std::string text = utf8_text();
                if (!text.empty()) text[pick(text.size())] = static_cast<char>(pick(256));
                return text;
            }
        }
    }

    std::optional<std::string> maybe_bytes() {
        if (pick(8) == 0) return std::nullopt;
        return bytes();
    }

    std::size_t pick(std::size_t bound) {
        return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_);
    }

    std::int64_t number(std::int64_t low, std::int64_t high) {
        return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
    }

  private:
    std::string binary() {
        std::string out(pick(40), '\0');
        for (char& c : out) c = static_cast<char>(pick(256));
        return out;
    }

    void append_code_point(char32_t cp, std::string& out) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    std::string utf8_text() {
        std::string out;
        const std::size_t length = pick(30);
        for (std::size_t i = 0; i < length; ++i) {
            switch (pick(6)) {
                case 0:
                    append_code_point(static_cast<char32_t>(pick(0x80)), out);
                    break;
                case 1:
                    append_code_point(static_cast<char32_t>(0x80 + pick(0x780)), out);
                    break;
                case 2:
                    append_code_point(static_cast<char32_t>(0x800 + pick(0xd000)), out);
                    break;
                case 3:
                    append_code_point(static_cast<char32_t>(0x10000 + pick(0x100000)), out);
                    break;
                default:
                    out += "ab\"\\{}[]:, \t\n\r"[pick(15)];
                    break;
            }
        }
        return out;
    }

    // Line breaks force the string form, so only some documents get them.
    std::string whitespace() {
        static constexpr std::string_view kChoices[] = {"", "", "", " ", "\t", "\n", "\r\n"};
        return std::string(kChoices[pick(multiline_ ? 7 : 5)]);
    }

    std::string spaced(std::string text) { return whitespace() + text + whitespace(); }

    std::string json_string() {
        std::string out = "\"";
        for (char c : utf8_text()) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (byte < 0x20) {
                out += "\\u001f";
            } else {
                out += c;
            }
        }
        if (pick(4) == 0) out += "\\u00e9\\n\\/";
        return out + "\"";
    }

    std::string json_scalar() {
        switch (pick(6)) {
            case 0:
                return "null";
            case 1:
                return pick(2) ? "true" : "false";
            case 2:
                return std::to_string(number(-1000000, 1000000));
            case 3:
                return "-1.25e-3";
            default:
                return json_string();
        }
    }

    std::string json(int depth) {
        if (depth == 0) multiline_ = pick(4) == 0;
        const bool array = pick(2) == 0;
        std::string out = array ? "[" : "{";
        const std::size_t members = pick(4);
        for (std::size_t i = 0; i < members; ++i) {
            if (i > 0) out += ",";
            out += whitespace();
            if (!array) out += json_string() + whitespace() + ":" + whitespace();
            out += depth < 3 && pick(3) == 0 ? json(depth + 1) : json_scalar();
            out += whitespace();
        }
        return out + (array ? "]" : "}");
    }

    std::mt19937 random_;
    bool multiline_ = false;
};

}  // namespace

TEST_CASE("envelope round trips random records byte for byte", "[record]") {
    RandomRecords random(424242);
    EnvelopeEncoder encoder;
    EnvelopeDecoder decoder;
    Record decoded;  // reused on purpose: stale buffers must not leak into the next record
    std::string line;
    int embedded_json = 0;
    for (int i = 0; i < 4000; ++i) {
        const std::string topic = std::string("topic-") + static_cast<char>('a' + random.pick(26));
        const std::optional<std::string> key = random.maybe_bytes();
        const std::optional<std::string> value = random.maybe_bytes();
        std::vector<std::string> names;
        std::vector<std::optional<std::string>> values;
        const std::size_t header_count = random.pick(5);
        for (std::size_t h = 0; h < header_count; ++h) {
            names.push_back(random.pick(3) == 0 ? "dup" : random.bytes());
            values.push_back(random.maybe_bytes());
        }
        std::vector<HeaderView> headers;
        for (std::size_t h = 0; h < header_count; ++h) {
            headers.push_back(
                {names[h], values[h] ? std::optional<std::string_view>(*values[h]) : std::nullopt});
        }

        RecordView record;
        record.topic = topic;
        record.partition = static_cast<std::int32_t>(random.number(-1, 1000));
        record.offset = random.number(-1, std::numeric_limits<std::int64_t>::max());
        record.timestamp_ms =
            random.pick(4) == 0 ? -1 : random.number(0, std::numeric_limits<std::int64_t>::max());
        record.timestamp_type = static_cast<TimestampType>(random.pick(3));
        if (key) record.key = *key;
        if (value) record.value = *value;
        record.headers = headers;

        line.clear();
        encoder.encode(record, line);
        INFO("record " << i << ": " << line);
        REQUIRE(line.find_first_of("\r\n") == std::string::npos);
        if (line.find(R"("value":{)") != std::string::npos ||
            line.find(R"("value":[)") != std::string::npos) {
            ++embedded_json;
        }
        const auto status = decoder.decode(line, decoded);
        INFO((status ? "" : status.error().message));
        REQUIRE(status);
        check_same(record, decoded);
    }
    CHECK(embedded_json > 300);  // the generator must exercise raw embedding, not just strings
}
