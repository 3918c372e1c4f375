#pragma once
// Tokens of the filter language, with the line and column each starts at (1-based; columns count
// characters, not bytes). Lexes jq's whole token set so that the parser can name jq features it
// refuses instead of failing with a generic syntax error.

#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace kpipe::filter {

enum class TokenKind {
    end,
    dot,         // .
    dot_dot,     // ..
    field,       // .name         text = name
    identifier,  // name or keyword; text = name (may contain "::", refused as a module path)
    number,      // text = literal as written, number = its value
    string,        // text = decoded contents
    interpolated,  // "a\(e)b": parts = the decoded strings around each expression's tokens
    format,        // @name
    variable,      // $name
    l_paren,
    r_paren,
    l_bracket,
    r_bracket,
    l_brace,
    r_brace,
    pipe,       // |
    comma,      // ,
    colon,      // :
    semicolon,  // ;
    question,   // ?
    op,         // one of the operators below, text = its spelling
};

// Operators, by spelling: == != < <= > >= + - * / % // and the assignments
// = |= += -= *= /= %= //=, and ?// (destructuring alternatives)
struct Token {
    TokenKind kind = TokenKind::end;
    std::string text;
    double number = 0;
    int line = 1;
    int column = 1;
    std::vector<std::string> parts;               // interpolated: one more than expressions
    std::vector<std::vector<Token>> expressions;  // interpolated: each ends with an `end` token
};

// Tokenizes the whole source. Errors (bad characters, bad escapes, unterminated strings) are
// usage errors: "filter:L:C: ...".
Expected<std::vector<Token>> tokenize(std::string_view source);

// "filter:L:C: message", the form of every compile error.
Error filter_error_at(int line, int column, std::string_view message);

// "filter:L:C: <feature> is not supported by kpipe's filter language", for the jq features kpipe
// refuses (modules).
Error refusal_error(int line, int column, std::string_view feature);

}  // namespace kpipe::filter
