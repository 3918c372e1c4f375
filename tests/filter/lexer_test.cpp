#include "filter/lexer.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using kpipe::filter::Token;
using kpipe::filter::tokenize;
using kpipe::filter::TokenKind;

namespace {

std::vector<Token> lex(std::string_view source) {
    auto tokens = tokenize(source);
    REQUIRE(tokens.has_value());
    return std::move(*tokens);
}

std::string lex_error(std::string_view source) {
    auto tokens = tokenize(source);
    REQUIRE_FALSE(tokens.has_value());
    CHECK(tokens.error().kind == kpipe::ErrorKind::usage);
    return tokens.error().message;
}

}  // namespace

TEST_CASE("lexer: paths, fields and punctuation", "[filter]") {
    const auto tokens = lex(".a.b_2 | .[0] , .\"x y\"?");
    REQUIRE(tokens.size() == 12);
    CHECK(tokens[0].kind == TokenKind::field);
    CHECK(tokens[0].text == "a");
    CHECK(tokens[1].kind == TokenKind::field);
    CHECK(tokens[1].text == "b_2");
    CHECK(tokens[2].kind == TokenKind::pipe);
    CHECK(tokens[3].kind == TokenKind::dot);
    CHECK(tokens[4].kind == TokenKind::l_bracket);
    CHECK(tokens[5].kind == TokenKind::number);
    CHECK(tokens[6].kind == TokenKind::r_bracket);
    CHECK(tokens[7].kind == TokenKind::comma);
    CHECK(tokens[8].kind == TokenKind::dot);
    CHECK(tokens[9].kind == TokenKind::string);
    CHECK(tokens[9].text == "x y");
    CHECK(tokens[10].kind == TokenKind::question);
    CHECK(tokens[11].kind == TokenKind::end);
}

TEST_CASE("lexer: tokens carry 1-based line and column", "[filter]") {
    const auto tokens = lex("  .a\n | {\"é\": 1, b: 2}");
    CHECK(tokens[0].line == 1);
    CHECK(tokens[0].column == 3);
    CHECK(tokens[1].line == 2);
    CHECK(tokens[1].column == 2);   // |
    CHECK(tokens[2].column == 4);   // {
    CHECK(tokens[4].column == 8);   // :
    CHECK(tokens[7].column == 13);  // b
    CHECK(lex_error(".a | é") == "filter:1:6: unexpected non-ASCII character");
}

TEST_CASE("lexer: operators, longest match first", "[filter]") {
    const auto tokens = lex("== != <= >= < > // //= |= += -= *= /= %= = + - * / % ?//");
    std::vector<std::string> spellings;
    for (const Token& token : tokens) {
        if (token.kind == TokenKind::op) spellings.push_back(token.text);
    }
    CHECK(spellings == std::vector<std::string>{"==",  "!=", "<=", ">=", "<",  ">",  "//",
                                                "//=", "|=", "+=", "-=", "*=", "/=", "%=",
                                                "=",   "+",  "-",  "*",  "/",  "%",  "?//"});
    // jq 1.6 lexes ?// as one token, so `.a? // 1` and `.a?//1` differ.
    CHECK(lex(".a? // 1")[1].kind == TokenKind::question);
    CHECK(lex(".a?//1")[1].text == "?//");
}

TEST_CASE("lexer: numbers as jq writes them", "[filter]") {
    const auto tokens = lex("0 12 1.5 .5 1. 1e3 2E-2 1e1000");
    CHECK(tokens[0].number == 0);
    CHECK(tokens[1].number == 12);
    CHECK(tokens[2].number == 1.5);
    CHECK(tokens[3].number == 0.5);
    CHECK(tokens[3].kind == TokenKind::number);
    CHECK(tokens[4].number == 1);
    CHECK(tokens[5].number == 1000);
    CHECK(tokens[6].number == 0.02);
    CHECK(tokens[7].number == HUGE_VAL);
    CHECK(tokens[2].text == "1.5");
}

TEST_CASE("lexer: string escapes are decoded", "[filter]") {
    const auto tokens = lex(R"("a\"b\\c\/d\n\t\r\b\f\u00e9\ud83d\ude00\ud800")");
    REQUIRE(tokens[0].kind == TokenKind::string);
    CHECK(tokens[0].text == "a\"b\\c/d\n\t\r\b\fé😀\xef\xbf\xbd");
}

TEST_CASE("lexer: identifiers, keywords, variables and formats", "[filter]") {
    const auto tokens = lex("select if $x $__loc__ @base64 a::b .. ;");
    CHECK(tokens[0].kind == TokenKind::identifier);
    CHECK(tokens[0].text == "select");
    CHECK(tokens[1].text == "if");
    CHECK(tokens[2].kind == TokenKind::variable);
    CHECK(tokens[2].text == "$x");
    CHECK(tokens[3].text == "$__loc__");
    CHECK(tokens[4].kind == TokenKind::format);
    CHECK(tokens[4].text == "@base64");
    CHECK(tokens[5].text == "a::b");
    CHECK(tokens[6].kind == TokenKind::dot_dot);
    CHECK(tokens[7].kind == TokenKind::semicolon);
}

TEST_CASE("lexer: string interpolation carries the parts and each expression's tokens",
          "[filter]") {
    const auto tokens = lex("\"a\\(.b | \"c\\(1)\")d\"");
    REQUIRE(tokens.size() == 2);
    CHECK(tokens[0].kind == TokenKind::interpolated);
    REQUIRE(tokens[0].parts.size() == 2);
    CHECK(tokens[0].parts[0] == "a");
    CHECK(tokens[0].parts[1] == "d");
    REQUIRE(tokens[0].expressions.size() == 1);
    const auto& inner = tokens[0].expressions[0];
    REQUIRE(inner.size() == 4);  // .b | "c\(1)" end
    CHECK(inner[0].text == "b");
    CHECK(inner[2].kind == TokenKind::interpolated);
    CHECK(inner[3].kind == TokenKind::end);
}

TEST_CASE("lexer: comments run to the end of the line", "[filter]") {
    const auto tokens = lex("# leading\n.a # trailing | .b\n| .c");
    REQUIRE(tokens.size() == 4);
    CHECK(tokens[0].text == "a");
    CHECK(tokens[1].kind == TokenKind::pipe);
    CHECK(tokens[2].text == "c");
}

TEST_CASE("lexer: errors name the position and the problem", "[filter]") {
    CHECK(lex_error(".a & 1") == "filter:1:4: unexpected '&'");
    CHECK(lex_error("\"abc") == "filter:1:1: unterminated string literal");
    CHECK(lex_error("\"a\\qb\"") == "filter:1:3: invalid escape in string literal");
    CHECK(lex_error("\"\\u12\"") == "filter:1:2: invalid \\u escape in string literal");
    CHECK(lex_error("\"x\\(.a\"").find("unterminated") != std::string::npos);
}

// Found by tests/fuzz/filter_eval_fuzz.cpp: a string literal carried bytes that are not UTF-8
// into the outputs, which were then not valid JSON.
TEST_CASE("lexer: a filter that is not UTF-8 is refused where it goes wrong", "[filter]") {
    CHECK(lex_error("\"\xda"
                    "c:k\"") == "filter:1:2: the filter is not valid UTF-8");
    CHECK(lex_error(".a |\n  \"é\xff\"") == "filter:2:5: the filter is not valid UTF-8");
    CHECK(lex_error("\"\xc0\xaf\"") == "filter:1:2: the filter is not valid UTF-8");  // overlong
    CHECK(lex_error("\"\xed\xa0\x80\"") ==
          "filter:1:2: the filter is not valid UTF-8");  // surrogate
    CHECK(lex_error("\"\xf4\x90\x80\x80\"") ==
          "filter:1:2: the filter is not valid UTF-8");  // > U+10FFFF
    CHECK(lex_error("# \xe2\x82\n.") == "filter:1:3: the filter is not valid UTF-8");
    CHECK(lex("\"é€😀\"")[0].text == "é€😀");
}
