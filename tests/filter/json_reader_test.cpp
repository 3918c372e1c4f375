#include "filter/json_reader.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "filter/json_writer.hpp"

using kpipe::filter::is_json_number;
using kpipe::filter::parse_json_number;
using kpipe::filter::read_document;
using kpipe::filter::Value;

namespace {

std::string read(std::string_view text) {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(text);
    Value value;
    if (auto error = read_document(parser, padded, value)) return "invalid: " + *error;
    return kpipe::filter::to_json(value);
}

}  // namespace

TEST_CASE("json_reader: number grammar is RFC 8259's", "[filter]") {
    for (const char* good :
         {"0", "-0", "1", "-12", "1.5", "1e5", "1E+5", "1e-5", "0.0", "123456789012345678901"}) {
        CHECK(is_json_number(good));
    }
    for (const char* bad :
         {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "1.5.", "NaN", "Infinity", "--1"}) {
        CHECK_FALSE(is_json_number(bad));
    }
    CHECK(parse_json_number("1e400") == HUGE_VAL);
    CHECK(parse_json_number("-1e400") == -HUGE_VAL);
    CHECK(parse_json_number("1e-400") == 0.0);
    CHECK(parse_json_number("0.000001e-400") == 0.0);
    CHECK(parse_json_number("100000e-5") == 1.0);
}

TEST_CASE("json_reader: reads one document into a value tree", "[filter]") {
    CHECK(read(R"( {"a":[1,"x",null,true,false,{"b":-0.5}],"a":2} )") == R"({"a":2})");
    CHECK(read(R"({"k":"\u00e9\n\ud83d\ude00"})") == "{\"k\":\"é\\n😀\"}");
    CHECK(read("1.0") == "1.0");
    CHECK(read("\"s\"") == "\"s\"");
    CHECK(read("null") == "null");
}

TEST_CASE("json_reader: rejects what is not exactly one valid document", "[filter]") {
    CHECK(read("") == "invalid: Empty: no JSON found");
    CHECK(read("1 2").rfind("invalid: Unexpected extra JSON values", 0) == 0);
    CHECK(read("[1] [2]").rfind("invalid: Unexpected extra JSON values", 0) == 0);
    CHECK(read("[01]") == "invalid: Invalid numeric literal '01'");
    CHECK(read("[tru]") == "invalid: Invalid literal 'tru'");
    CHECK(read("\"\\ud800\"").rfind("invalid: ", 0) == 0);
    CHECK(read(std::string(257, '[') + std::string(257, ']')) ==
          "invalid: Exceeds depth limit for parsing");
    CHECK(read(std::string(100000, '{')).rfind("invalid: ", 0) == 0);
}
