#include "topic_check/schema.hpp"

#include <catch2/catch.hpp>

using namespace kpipe::topic_check;

TEST_CASE("schemas: type, required and properties.X.type are checked", "[topic_check]") {
    auto schema = parse_schema(R"({"$schema":"x","type":"object","required":["id"],
        "properties":{"id":{"type":"string","minLength":1},"n":{"type":["integer","null"]}},
        "additionalProperties":false})");
    REQUIRE(schema);
    CHECK(schema->unsupported ==
          std::vector<std::string>{"properties.id.minLength", "additionalProperties"});
    simdjson::dom::parser parser;
    CHECK_FALSE(check_json_record(parser, R"({"id":"a","n":3})", &*schema));
    CHECK_FALSE(check_json_record(parser, R"({"id":"a","n":3.0})", &*schema));
    CHECK_FALSE(check_json_record(parser, R"({"id":"a","n":null})", &*schema));
    CHECK(*check_json_record(parser, R"({"id":"a","n":1.5})", &*schema) ==
          "field 'n' is number, expected integer or null");
    CHECK(*check_json_record(parser, R"({"n":1})", &*schema) == "missing required field 'id'");
    CHECK(*check_json_record(parser, R"([1])", &*schema) == "is array, expected object");
    CHECK(check_json_record(parser, R"({"id":)", &*schema)->starts_with("not valid JSON"));
    CHECK_FALSE(check_json_record(parser, R"("text")", nullptr));
}

TEST_CASE("bad schemas are usage errors", "[topic_check]") {
    for (const char* bad : {"[]", "{", R"({"type":"float"})", R"({"required":"id"})",
                            R"({"properties":{"a":{"type":7}}})"}) {
        auto schema = parse_schema(bad);
        REQUIRE_FALSE(schema);
        CHECK(schema.error().kind == kpipe::ErrorKind::usage);
    }
}
