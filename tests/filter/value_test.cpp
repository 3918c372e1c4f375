#include "filter/value.hpp"

#include <catch2/catch.hpp>

#include <string>

using kpipe::filter::Kind;
using kpipe::filter::kind_name;
using kpipe::filter::Object;
using kpipe::filter::Value;

TEST_CASE("value: objects keep insertion order and replace in place", "[filter]") {
    Object object;
    object.set("b", Value::number(1));
    object.set("a", Value::number(2));
    object.set("b", Value::number(3));
    REQUIRE(object.size() == 2);
    auto it = object.begin();
    CHECK(it->first == "b");
    CHECK(it->second.as_number() == 3);
    ++it;
    CHECK(it->first == "a");
    CHECK(object.find("a")->as_number() == 2);
    CHECK(object.find("c") == nullptr);
    CHECK(object.erase("b"));
    CHECK_FALSE(object.erase("b"));
    object.set("b", Value::number(4));
    CHECK(object.begin()->first == "a");
}

TEST_CASE("value: large objects stay consistent through the hash index", "[filter]") {
    Object object;
    for (int i = 0; i < 1000; ++i) object.set("k" + std::to_string(i), Value::number(i));
    for (int i = 0; i < 1000; i += 3) object.set("k" + std::to_string(i), Value::number(-i));
    for (int i = 0; i < 1000; i += 7) CHECK(object.erase("k" + std::to_string(i)));
    for (int i = 0; i < 1000; ++i) {
        const Value* found = object.find("k" + std::to_string(i));
        if (i % 7 == 0) {
            CHECK(found == nullptr);
        } else {
            REQUIRE(found != nullptr);
            CHECK(found->as_number() == (i % 3 == 0 ? -i : i));
        }
    }
    int expected = 1;  // insertion order survives replacement and erasure
    for (const auto& [key, value] : object) {
        while (expected % 7 == 0) ++expected;
        CHECK(key == "k" + std::to_string(expected));
        ++expected;
    }
}

TEST_CASE("value: kinds, truthiness and number text", "[filter]") {
    CHECK(Value().kind() == Kind::null);
    CHECK_FALSE(Value().truthy());
    CHECK_FALSE(Value::boolean(false).truthy());
    CHECK(Value::boolean(true).kind() == Kind::true_);
    CHECK(Value::number(0).truthy());
    CHECK(Value::string("").truthy());
    CHECK(kind_name(Kind::false_) == "boolean");
    CHECK(kind_name(Kind::object) == "object");
    CHECK(Value::number(1.0, "1.0").number_text() == "1.0");
    CHECK(Value::number(1.0).number_text().empty());
    CHECK(Kind::null < Kind::false_);
    CHECK(Kind::true_ < Kind::number);
    CHECK(Kind::array < Kind::object);
}
