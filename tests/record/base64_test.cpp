#include "record/base64.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using kpipe::record::append_base64;
using kpipe::record::decode_base64;

namespace {

std::string encode(std::string_view bytes) {
    std::string out;
    append_base64(bytes, out);
    return out;
}

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[record]") {
    CHECK(encode("") == "");
    CHECK(encode("f") == "Zg==");
    CHECK(encode("fo") == "Zm8=");
    CHECK(encode("foo") == "Zm9v");
    CHECK(encode("foob") == "Zm9vYg==");
    CHECK(encode("fooba") == "Zm9vYmE=");
    CHECK(encode("foobar") == "Zm9vYmFy");
    CHECK(encode(std::string("\x00\x01", 2)) == "AAE=");
    CHECK(encode("\xff\xfe") == "//4=");
    CHECK(encode("\xfb\xff\xbf") == "+/+/");
}

TEST_CASE("base64 appends to what is already in the output", "[record]") {
    std::string out = "prefix:";
    append_base64("foo", out);
    CHECK(out == "prefix:Zm9v");
}

TEST_CASE("base64 decodes the RFC 4648 test vectors", "[record]") {
    std::string out = "stale";
    CHECK(decode_base64("", out));
    CHECK(out.empty());
    CHECK(decode_base64("Zg==", out));
    CHECK(out == "f");
    CHECK(decode_base64("Zm8=", out));
    CHECK(out == "fo");
    CHECK(decode_base64("Zm9v", out));
    CHECK(out == "foo");
    CHECK(decode_base64("Zm9vYmFy", out));
    CHECK(out == "foobar");
    CHECK(decode_base64("+/+/", out));
    CHECK(out == "\xfb\xff\xbf");
}

TEST_CASE("base64 round trips every byte value at every alignment", "[record]") {
    std::string all_bytes;
    for (int byte = 0; byte < 256; ++byte) all_bytes.push_back(static_cast<char>(byte));
    std::string decoded;
    for (std::size_t length = 0; length <= all_bytes.size(); ++length) {
        const std::string bytes = all_bytes.substr(all_bytes.size() - length);
        REQUIRE(decode_base64(encode(bytes), decoded));
        REQUIRE(decoded == bytes);
    }
}

TEST_CASE("base64 round trips random bytes", "[record]") {
    std::mt19937 random(20240611);
    std::string bytes;
    std::string decoded;
    for (int i = 0; i < 2000; ++i) {
        bytes.resize(std::uniform_int_distribution<std::size_t>(0, 100)(random));
        for (char& byte : bytes) byte = static_cast<char>(random());
        REQUIRE(decode_base64(encode(bytes), decoded));
        REQUIRE(decoded == bytes);
    }
}

TEST_CASE("base64 rejects malformed input and leaves the output empty", "[record]") {
    const char* const malformed[] = {
        "Zg",        // unpadded
        "Zg=",       // short padding
        "Zm9",       // length not a multiple of 4
        "Zg===",     // too much padding
        "====",      // padding only
        "Z===",      // three padding characters
        "Zg==Zg==",  // padding in the middle
        "Zm=v",      // '=' followed by data
        "Zm9v!A==",  // character outside the alphabet
        "Zm9v\n",    // whitespace is not skipped
        "Zm 9v",     // nor spaces
        "Zm9-",      // URL-safe alphabet is not the standard one
        "Zm9_",
    };
    for (const char* text : malformed) {
        INFO(text);
        std::string out = "stale";
        CHECK_FALSE(decode_base64(text, out));
        CHECK(out.empty());
    }
}

TEST_CASE("base64 ignores unused low bits in the final character", "[record]") {
    std::string out;
    CHECK(decode_base64("Zh==", out));
    CHECK(out == "f");
}
