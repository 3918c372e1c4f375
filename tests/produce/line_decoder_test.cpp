#include "produce/line_decoder.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "io/line_reader.hpp"

using kpipe::produce::InputFormat;
using kpipe::produce::LineDecoder;
using kpipe::produce::LineDecoderOptions;
using kpipe::record::RecordView;

namespace {

// The decoder parses in place and needs readable padding after the line, as LineReader gives.
struct PaddedLine {
    explicit PaddedLine(std::string text) : bytes(std::move(text)), size(bytes.size()) {
        bytes.append(kpipe::io::LineReader::kReadablePadding, '\0');
    }
    std::string_view view() const { return std::string_view(bytes.data(), size); }
    std::string bytes;
    std::size_t size;
};

std::string text(const std::optional<std::string_view>& bytes) {
    return bytes ? std::string(*bytes) : std::string("<null>");
}

}  // namespace

TEST_CASE("json lines are validated and sent as they are", "[produce]") {
    LineDecoder decoder(LineDecoderOptions{});
    RecordView record;
    PaddedLine line(R"({"a": 1, "b": [true, null]})");
    REQUIRE(decoder.decode(line.view(), record));
    CHECK(text(record.value) == R"({"a": 1, "b": [true, null]})");
    CHECK_FALSE(record.key.has_value());

    PaddedLine crlf("{\"a\":1}\r");
    REQUIRE(decoder.decode(crlf.view(), record));
    CHECK(text(record.value) == "{\"a\":1}");

    for (const char* bad : {"{\"a\":", "not json", "{\"a\":1} trailing", "\"\xff\""}) {
        PaddedLine invalid(bad);
        auto decoded = decoder.decode(invalid.view(), record);
        REQUIRE_FALSE(decoded);
        CHECK_THAT(decoded.error().message, Catch::StartsWith("invalid JSON ("));
    }
}

TEST_CASE("keys come from a JSON field or a delimiter", "[produce]") {
    LineDecoderOptions by_field;
    by_field.key_field = "user_id";
    LineDecoder field_decoder(by_field);
    RecordView record;
    PaddedLine string_key(R"({"user_id":"a\"b","n":1})");
    REQUIRE(field_decoder.decode(string_key.view(), record));
    CHECK(text(record.key) == "a\"b");  // strings are unescaped
    PaddedLine number_key(R"({"user_id": 42})");
    REQUIRE(field_decoder.decode(number_key.view(), record));
    CHECK(text(record.key) == "42");
    PaddedLine object_key(R"({"user_id": {"x": [1, 2]}})");
    REQUIRE(field_decoder.decode(object_key.view(), record));
    CHECK(text(record.key) == R"({"x":[1,2]})");  // other values as compact JSON
    PaddedLine missing(R"({"id": 1})");
    auto decoded = field_decoder.decode(missing.view(), record);
    REQUIRE_FALSE(decoded);
    CHECK_THAT(decoded.error().message, Catch::Contains("'user_id'"));

    LineDecoderOptions by_delimiter;
    by_delimiter.format = InputFormat::raw;
    by_delimiter.key_delimiter = "::";
    LineDecoder delimiter_decoder(by_delimiter);
    PaddedLine pair("k1::value::with::colons");
    REQUIRE(delimiter_decoder.decode(pair.view(), record));
    CHECK(text(record.key) == "k1");
    CHECK(text(record.value) == "value::with::colons");
    PaddedLine no_delimiter("plain");
    CHECK_FALSE(delimiter_decoder.decode(no_delimiter.view(), record));
}

TEST_CASE("raw lines are sent byte for byte and blank lines only skip in json", "[produce]") {
    LineDecoderOptions raw;
    raw.format = InputFormat::raw;
    LineDecoder raw_decoder(raw);
    RecordView record;
    PaddedLine line(" not json \r");
    REQUIRE(raw_decoder.decode(line.view(), record));
    CHECK(text(record.value) == " not json \r");
    CHECK_FALSE(raw_decoder.is_blank(""));

    LineDecoder json_decoder(LineDecoderOptions{});
    CHECK(json_decoder.is_blank(""));
    CHECK(json_decoder.is_blank(" \t\r"));
    CHECK_FALSE(json_decoder.is_blank(" 1"));
}

TEST_CASE("envelope lines give key, headers, timestamp and value", "[produce]") {
    LineDecoderOptions envelope;
    envelope.format = InputFormat::envelope;
    LineDecoder decoder(envelope);
    RecordView record;
    PaddedLine line(R"({"timestamp":1694479551000,"key":null,"headers":[{"key":"h","value":null},)"
                    R"({"key":"h","value":"2"}],"value_b64":"//4="})");
    REQUIRE(decoder.decode(line.view(), record));
    CHECK_FALSE(record.key.has_value());
    CHECK(record.timestamp_ms == 1694479551000);
    CHECK(text(record.value) == "\xff\xfe");
    REQUIRE(record.headers.size() == 2);
    CHECK_FALSE(record.headers[0].value.has_value());
    CHECK(text(record.headers[1].value) == "2");
    PaddedLine broken(R"({"key":"k"})");
    CHECK_FALSE(decoder.decode(broken.view(), record));
}
