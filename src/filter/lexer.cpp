#include "filter/lexer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "filter/utf8.hpp"

namespace kpipe::filter {

namespace {

bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) {
    return is_ident_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

class Lexer {
  public:
    explicit Lexer(std::string_view source) : src_(source) {}

    Expected<std::vector<Token>> run() {
        // Bytes that are not UTF-8 would reach outputs from string literals and make them
        // invalid JSON (jq substitutes U+FFFD); refuse them where they are.
        if (const std::size_t bad = first_invalid_utf8(src_); bad != std::string_view::npos) {
            advance(bad);
            return filter_error_at(line_, column_, "the filter is not valid UTF-8");
        }
        std::vector<Token> tokens;
        if (auto status = lex_tokens(tokens, false); !status) return status.error();
        return tokens;
    }

  private:
    // Tokens up to the end of the source, or (inside "\(...)") up to the ')' that closes the
    // interpolation, which is consumed. Either way the list ends with an `end` token.
    Status lex_tokens(std::vector<Token>& tokens, bool in_interpolation) {
        int parens = 0;
        for (;;) {
            skip_space_and_comments();
            Token token;
            token.line = line_;
            token.column = column_;
            if (pos_ >= src_.size()) {
                if (in_interpolation) return error_here("unterminated string interpolation");
                tokens.push_back(std::move(token));
                return ok();
            }
            if (in_interpolation && peek() == ')' && parens == 0) {
                advance();
                tokens.push_back(std::move(token));
                return ok();
            }
            if (auto status = lex_one(token); !status) return status.error();
            if (token.kind == TokenKind::l_paren) ++parens;
            if (token.kind == TokenKind::r_paren) --parens;
            tokens.push_back(std::move(token));
        }
    }

    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
    }

    void advance(std::size_t count = 1) {
        for (std::size_t i = 0; i < count && pos_ < src_.size(); ++i) {
            const char c = src_[pos_++];
            if (c == '\n') {
                ++line_;
                column_ = 1;
            } else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
                ++column_;
            }
        }
    }

    void skip_space_and_comments() {
        for (;;) {
            const char c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                advance();
            } else if (c == '#') {
                while (pos_ < src_.size() && peek() != '\n') advance();
            } else {
                return;
            }
        }
    }

    Error error_here(std::string_view message) const {
        return filter_error_at(line_, column_, message);
    }

    Status lex_one(Token& token) {
        const char c = peek();
        if (c == '.') {
            if (peek(1) == '.') {
                token.kind = TokenKind::dot_dot;
                token.text = "..";
                advance(2);
            } else if (is_ident_start(peek(1))) {
                advance();
                token.kind = TokenKind::field;
                token.text = take_while(is_ident_char);
            } else if (is_digit(peek(1))) {
                return lex_number(token);
            } else {
                token.kind = TokenKind::dot;
                token.text = ".";
                advance();
            }
            return ok();
        }
        if (is_digit(c)) return lex_number(token);
        if (is_ident_start(c)) {
            token.kind = TokenKind::identifier;
            token.text = take_while(is_ident_char);
            while (peek() == ':' && peek(1) == ':' && is_ident_start(peek(2))) {
                advance(2);
                token.text += "::" + take_while(is_ident_char);
            }
            return ok();
        }
        if (c == '"') return lex_string(token);
        if (c == '@' || c == '$') {
            token.kind = c == '@' ? TokenKind::format : TokenKind::variable;
            advance();
            token.text = std::string(1, c) + take_while(is_ident_char);
            return ok();
        }
        // Like jq 1.6, `?//` is one token (destructuring alternative), so `.a?//1` is refused
        // while `.a? // 1` is not.
        static constexpr std::string_view two[] = {
            "==", "!=", "<=", ">=", "//", "|=", "+=", "-=", "*=", "/=", "%="};
        if (src_.substr(pos_, 3) == "//=" || src_.substr(pos_, 3) == "?//") {
            token.kind = TokenKind::op;
            token.text = std::string(src_.substr(pos_, 3));
            advance(3);
            return ok();
        }
        for (std::string_view op : two) {
            if (src_.substr(pos_, 2) == op) {
                token.kind = TokenKind::op;
                token.text = op;
                advance(2);
                return ok();
            }
        }
        token.text = std::string(1, c);
        switch (c) {
            case '(':
                token.kind = TokenKind::l_paren;
                break;
            case ')':
                token.kind = TokenKind::r_paren;
                break;
            case '[':
                token.kind = TokenKind::l_bracket;
                break;
            case ']':
                token.kind = TokenKind::r_bracket;
                break;
            case '{':
                token.kind = TokenKind::l_brace;
                break;
            case '}':
                token.kind = TokenKind::r_brace;
                break;
            case '|':
                token.kind = TokenKind::pipe;
                break;
            case ',':
                token.kind = TokenKind::comma;
                break;
            case ':':
                token.kind = TokenKind::colon;
                break;
            case ';':
                token.kind = TokenKind::semicolon;
                break;
            case '?':
                token.kind = TokenKind::question;
                break;
            case '<':
            case '>':
            case '+':
            case '-':
            case '*':
            case '/':
            case '%':
            case '=':
                token.kind = TokenKind::op;
                break;
            default: {
                std::string shown = static_cast<unsigned char>(c) < 0x20 || c == 0x7f
                                        ? "control character"
                                        : "'" + std::string(1, c) + "'";
                if (static_cast<unsigned char>(c) >= 0x80) shown = "non-ASCII character";
                return error_here("unexpected " + shown);
            }
        }
        advance();
        return ok();
    }

    std::string take_while(bool (*pred)(char)) {
        const std::size_t start = pos_;
        while (pos_ < src_.size() && pred(peek())) advance();
        return std::string(src_.substr(start, pos_ - start));
    }

    // jq's number literal: ([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
    Status lex_number(Token& token) {
        const std::size_t start = pos_;
        while (is_digit(peek())) advance();
        if (peek() == '.') {
            advance();
            while (is_digit(peek())) advance();
        }
        if ((peek() == 'e' || peek() == 'E') &&
            (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
            advance(2);
            while (is_digit(peek())) advance();
        }
        token.kind = TokenKind::number;
        token.text = std::string(src_.substr(start, pos_ - start));
        std::string normalized = token.text;
        if (normalized.front() == '.') normalized.insert(normalized.begin(), '0');
        const auto result =
            std::from_chars(normalized.data(), normalized.data() + normalized.size(), token.number);
        if (result.ec == std::errc::result_out_of_range) {
            // Overflow to infinity (printed as jq's DBL_MAX) unless it is an underflow.
            const auto e = normalized.find_first_of("eE");
            const bool tiny = e != std::string::npos && normalized[e + 1] == '-';
            token.number = tiny ? 0.0 : HUGE_VAL;
        }
        return ok();
    }

    Status lex_string(Token& token) {
        const int start_line = line_;
        const int start_column = column_;
        advance();  // opening quote
        token.kind = TokenKind::string;
        std::string& out = token.text;
        for (;;) {
            if (pos_ >= src_.size()) {
                return filter_error_at(start_line, start_column, "unterminated string literal");
            }
            const char c = peek();
            if (c == '"') {
                advance();
                if (token.kind == TokenKind::interpolated) {
                    token.parts.push_back(std::move(out));
                    out.clear();
                }
                return ok();
            }
            if (c != '\\') {
                out.push_back(c);
                advance();
                continue;
            }
            const int escape_line = line_;
            const int escape_column = column_;
            const char e = peek(1);
            advance(2);
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out.push_back(e);
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case '(': {
                    // "a\(e)b": the parts before and after each expression, and its tokens.
                    token.kind = TokenKind::interpolated;
                    token.parts.push_back(std::move(out));
                    out.clear();
                    token.expressions.emplace_back();
                    if (auto status = lex_tokens(token.expressions.back(), true); !status)
                        return status;
                    break;
                }
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!read_hex4(cp)) {
                        return filter_error_at(escape_line, escape_column,
                                               "invalid \\u escape in string literal");
                    }
                    if (cp >= 0xd800 && cp < 0xdc00 && peek() == '\\' && peek(1) == 'u') {
                        const std::size_t save_pos = pos_;
                        const int save_line = line_;
                        const int save_column = column_;
                        advance(2);
                        std::uint32_t low = 0;
                        if (read_hex4(low) && low >= 0xdc00 && low < 0xe000) {
                            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                        } else {
                            pos_ = save_pos;
                            line_ = save_line;
                            column_ = save_column;
                        }
                    }
                    // Like jq, a lone surrogate becomes U+FFFD.
                    if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
                    append_utf8(cp, out);
                    break;
                }
                default:
                    return filter_error_at(escape_line, escape_column,
                                           "invalid escape in string literal");
            }
        }
    }

    bool read_hex4(std::uint32_t& cp) {
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = peek();
            int digit;
            if (h >= '0' && h <= '9') {
                digit = h - '0';
            } else if (h >= 'a' && h <= 'f') {
                digit = h - 'a' + 10;
            } else if (h >= 'A' && h <= 'F') {
                digit = h - 'A' + 10;
            } else {
                return false;
            }
            cp = cp * 16 + static_cast<std::uint32_t>(digit);
            advance();
        }
        return true;
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
};

}  // namespace

Error filter_error_at(int line, int column, std::string_view message) {
    return usage_error("filter:" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                       std::string(message));
}

Error refusal_error(int line, int column, std::string_view feature) {
    return filter_error_at(line, column,
                           std::string(feature) + " is not supported by kpipe's filter language");
}

Expected<std::vector<Token>> tokenize(std::string_view source) {
    return Lexer(source).run();
}

}  // namespace kpipe::filter
