#include "filter/json_writer.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using kpipe::filter::Array;
using kpipe::filter::dump_truncated;
using kpipe::filter::Object;
using kpipe::filter::to_json;
using kpipe::filter::Value;
using kpipe::filter::write_json_number;
using kpipe::filter::write_json_string;

namespace {

std::string number(double d) {
    std::string out;
    write_json_number(d, out);
    return out;
}

std::string string_literal(std::string_view s) {
    std::string out;
    write_json_string(s, out);
    return out;
}

}  // namespace

TEST_CASE("json_writer: numbers print as jq 1.6 prints them", "[filter]") {
    CHECK(number(0) == "0");
    CHECK(number(-0.0) == "-0");
    CHECK(number(1) == "1");
    CHECK(number(-17) == "-17");
    CHECK(number(0.1) == "0.1");
    CHECK(number(0.1 + 0.2) == "0.30000000000000004");
    CHECK(number(1.0 / 3) == "0.3333333333333333");
    CHECK(number(2.5) == "2.5");
    CHECK(number(1e15) == "1000000000000000");
    CHECK(number(1e16) == "1e+16");
    CHECK(number(1e17) == "1e+17");
    CHECK(number(12345678901234567890.0) == "12345678901234567000");
    CHECK(number(1.5e16) == "15000000000000000");
    CHECK(number(0.0001) == "0.0001");
    CHECK(number(0.00001) == "1e-05");
    CHECK(number(1.5e-7) == "1.5e-07");
    CHECK(number(1e300) == "1e+300");
    CHECK(number(-1.25e-300) == "-1.25e-300");
    CHECK(number(123456789) == "123456789");
    CHECK(number(9007199254740993.0) == "9007199254740992");
    CHECK(number(std::numeric_limits<double>::infinity()) == "1.7976931348623157e+308");
    CHECK(number(-std::numeric_limits<double>::infinity()) == "-1.7976931348623157e+308");
    CHECK(number(std::numeric_limits<double>::quiet_NaN()) == "null");
    CHECK(number(5e-324) == "5e-324");
}

TEST_CASE("json_writer: strings escape like jq", "[filter]") {
    CHECK(string_literal("plain") == "\"plain\"");
    CHECK(string_literal("q\"b\\s/") == R"("q\"b\\s/")");
    CHECK(string_literal("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(string_literal(std::string("\x00\x01\x1f\x7f", 4)) == R"("\u0000\u0001\u001f\u007f")");
    CHECK(string_literal("é\u2028😀") == "\"é\u2028😀\"");
}

TEST_CASE("json_writer: compact containers, insertion order, preserved number text", "[filter]") {
    Object inner;
    inner.set("z", Value::number(1));
    inner.set("a", Value::array({Value(), Value::boolean(true), Value::boolean(false)}));
    Object outer;
    outer.set("k", Value::string("v"));
    outer.set("n", Value::number(1.0, "1.0"));
    outer.set("o", Value::object(inner));
    outer.set("e", Value::array({}));
    CHECK(to_json(Value::object(outer)) ==
          R"({"k":"v","n":1.0,"o":{"z":1,"a":[null,true,false]},"e":[]})");
}

TEST_CASE("json_writer: values in error messages are cut like jq's", "[filter]") {
    CHECK(dump_truncated(Value::string("abcdefghijklmnopqrstuvwxyz"), 15) == "\"abcdefghij...");
    CHECK(dump_truncated(Value::string("short"), 15) == "\"short\"");
    CHECK(dump_truncated(Value::string("abcdefghijklm"), 15) == "\"abcdefghij...");
    CHECK(dump_truncated(Value::string("abcdefghijkl"), 15) == "\"abcdefghijkl\"");
    CHECK(dump_truncated(Value::number(1), 30) == "1");
}
