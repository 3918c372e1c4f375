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
    dot_dot,     // ..            (refused: recursive descent)
    field,       // .name         text = name
    identifier,  // name or keyword; text = name (may contain "::", refused as a module path)
    number,      // text = literal as written, number = its value
    string,      // text = decoded contents
    format,      // @name         (refused)
    variable,    // $name         (refused)
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

// Operators, by spelling: == != < <= > >= + - * / % // and the refused assignments
// = |= += -= *= /= %= //= ?//
struct Token {
    TokenKind kind = TokenKind::end;
    std::string text;
    double number = 0;
    int line = 1;
    int column = 1;
};

// Tokenizes the whole source. Errors (bad characters, bad escapes, unterminated strings, string
// interpolation) are usage errors: "filter:L:C: ...".
Expected<std::vector<Token>> tokenize(std::string_view source);

// "filter:L:C: message", the form of every compile error.
Error filter_error_at(int line, int column, std::string_view message);

// "filter:L:C: <feature> is not supported by kpipe's filter language (supported: ...)", for jq
// features outside the subset.
Error refusal_error(int line, int column, std::string_view feature);

}  // namespace kpipe::filter
