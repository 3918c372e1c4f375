#include "filter/parser.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "filter/builtins.hpp"
#include "filter/json_writer.hpp"
#include "filter/lexer.hpp"
#include "filter/regex.hpp"

namespace kpipe::filter {

namespace {

constexpr int max_nesting = 256;     // parser recursion and chains (.a.b.c..., a + b + c ...)
constexpr int max_tree_depth = 512;  // the evaluator recurses along the tree

struct BuiltinSpec {
    std::string_view name;
    Builtin builtin;
    int min_args;
    int max_args;
};

constexpr std::array<BuiltinSpec, 21> builtins = {{
    {"empty", Builtin::empty, 0, 0},
    {"error", Builtin::error, 0, 1},
    {"not", Builtin::not_, 0, 0},
    {"select", Builtin::select, 1, 1},
    {"has", Builtin::has, 1, 1},
    {"length", Builtin::length, 0, 0},
    {"tostring", Builtin::tostring, 0, 0},
    {"tonumber", Builtin::tonumber, 0, 0},
    {"ascii_downcase", Builtin::ascii_downcase, 0, 0},
    {"ascii_upcase", Builtin::ascii_upcase, 0, 0},
    {"test", Builtin::test, 1, 2},
    {"startswith", Builtin::startswith, 1, 1},
    {"endswith", Builtin::endswith, 1, 1},
    {"ltrimstr", Builtin::ltrimstr, 1, 1},
    {"rtrimstr", Builtin::rtrimstr, 1, 1},
    {"del", Builtin::del, 1, 1},
    {"todate", Builtin::todate, 0, 0},
    {"fromdate", Builtin::fromdate, 0, 0},
    {"keys", Builtin::keys, 0, 0},
    {"map", Builtin::map, 1, 1},
    {"type", Builtin::type, 0, 0},
}};

// jq keywords that kpipe refuses, with the name the refusal uses.
struct RefusedKeyword {
    std::string_view keyword;
    std::string_view feature;
};
constexpr std::array<RefusedKeyword, 11> refused_keywords = {{
    {"reduce", "'reduce'"},
    {"foreach", "'foreach'"},
    {"def", "'def' (function definitions)"},
    {"try", "'try' (use the postfix ? operator)"},
    {"catch", "'catch'"},
    {"label", "'label'"},
    {"break", "'break'"},
    {"import", "'import' (modules)"},
    {"include", "'include' (modules)"},
    {"as", "'as' (variable binding and destructuring)"},
    {"__loc__", "'$__loc__'"},
}};

bool is_structural_keyword(std::string_view word) {
    return word == "if" || word == "then" || word == "elif" || word == "else" || word == "end" ||
           word == "and" || word == "or";
}

std::string describe(const Token& token) {
    switch (token.kind) {
        case TokenKind::end:
            return "end of filter";
        case TokenKind::string: {
            std::string quoted;
            write_json_string(token.text, quoted);
            return "string " + quoted;
        }
        case TokenKind::field:
            return "'." + token.text + "'";
        default:
            return "'" + token.text + "'";
    }
}

class Parser {
  public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    Expected<NodePtr> parse() {
        // Like jq, an empty program (or only comments) is the identity.
        if (at(TokenKind::end)) return make(NodeKind::identity, peek());
        auto root = parse_pipe();
        if (!root) return root;
        if (peek().kind != TokenKind::end) {
            if (peek().kind == TokenKind::r_paren || peek().kind == TokenKind::r_bracket ||
                peek().kind == TokenKind::r_brace) {
                return error_at(peek(), "unmatched " + describe(peek()));
            }
            return error_at(peek(), "unexpected " + describe(peek()) + " after a complete filter");
        }
        return root;
    }

  private:
    // --- token helpers -------------------------------------------------------------------
    const Token& peek(std::size_t ahead = 0) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const Token& next() {
        const Token& token = tokens_[pos_];
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return token;
    }
    bool at(TokenKind kind) const { return peek().kind == kind; }
    bool at_op(std::string_view spelling) const {
        return peek().kind == TokenKind::op && peek().text == spelling;
    }
    bool at_word(std::string_view word) const {
        return peek().kind == TokenKind::identifier && peek().text == word;
    }

    static Error error_at(const Token& token, std::string_view message) {
        return filter_error_at(token.line, token.column, message);
    }
    Status expect(TokenKind kind, std::string_view spelling, std::string_view context) {
        if (at(kind)) {
            next();
            return ok();
        }
        return error_at(peek(), "expected '" + std::string(spelling) + "' " + std::string(context) +
                                    ", found " + describe(peek()));
    }
    Status expect_word(std::string_view word, std::string_view context) {
        if (at_word(word)) {
            next();
            return ok();
        }
        return error_at(peek(), "expected '" + std::string(word) + "' " + std::string(context) +
                                    ", found " + describe(peek()));
    }

    static NodePtr make(NodeKind kind, const Token& at) {
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->line = at.line;
        node->column = at.column;
        return node;
    }
    static NodePtr make(NodeKind kind, const Token& at, NodePtr a) {
        auto node = make(kind, at);
        node->children.push_back(std::move(a));
        return node;
    }
    static NodePtr make(NodeKind kind, const Token& at, NodePtr a, NodePtr b) {
        auto node = make(kind, at, std::move(a));
        node->children.push_back(std::move(b));
        return node;
    }
    static NodePtr literal(const Node& at, Value value) {
        auto node = std::make_unique<Node>();
        node->kind = NodeKind::literal;
        node->line = at.line;
        node->column = at.column;
        node->literal = std::move(value);
        return node;
    }
    static NodePtr literal(const Token& at, Value value) {
        auto node = make(NodeKind::literal, at);
        node->literal = std::move(value);
        return node;
    }
    static NodePtr field_of(NodePtr target, const Token& at, std::string name) {
        return make(NodeKind::index, at, std::move(target),
                    literal(at, Value::string(std::move(name))));
    }

    // Guards recursion so that "((((..." or "[[[[..." cannot overflow the stack.
    class DepthGuard {
      public:
        explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
        ~DepthGuard() { --depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

      private:
        int& depth_;
    };
    Status check_depth() const { return check_chain(0); }
    // Left-nested chains (a, b, c, ... or .a.b.c...) deepen the tree without recursing here.
    Status check_chain(int chain) const {
        if (depth_ + chain > max_nesting) return error_at(peek(), "filter is nested too deeply");
        return ok();
    }

    // --- precedence levels ---------------------------------------------------------------
    Expected<NodePtr> parse_pipe() {
        DepthGuard guard(depth_);
        if (auto status = check_depth(); !status) return status.error();
        auto lhs = parse_comma();
        if (!lhs) return lhs;
        if (at(TokenKind::pipe)) {
            const Token& bar = next();
            auto rhs = parse_pipe();
            if (!rhs) return rhs;
            return pipe_of(bar, std::move(*lhs), std::move(*rhs));
        }
        return lhs;
    }

    // `. | f` and `f | .` are f. jq compiles them to the same code, so `{(. | {}): 1}` is refused
    // as a constant non-string key like `{({}): 1}`.
    static NodePtr pipe_of(const Token& bar, NodePtr lhs, NodePtr rhs) {
        if (lhs->kind == NodeKind::identity) return rhs;
        if (rhs->kind == NodeKind::identity) return lhs;
        return make(NodeKind::pipe, bar, std::move(lhs), std::move(rhs));
    }

    // Commas build one n-ary node, so long lists do not deepen the tree.
    Expected<NodePtr> parse_comma() {
        auto first = parse_alternative();
        if (!first) return first;
        if (!at(TokenKind::comma)) return first;
        auto node = make(NodeKind::comma, peek(), std::move(*first));
        while (at(TokenKind::comma)) {
            next();
            auto item = parse_alternative();
            if (!item) return item;
            node->children.push_back(std::move(*item));
        }
        return node;
    }

    // Right-associative: a // b // c is a // (b // c).
    Expected<NodePtr> parse_alternative() {
        std::vector<NodePtr> operands;
        std::vector<const Token*> operators;
        for (;;) {
            auto operand = parse_assignment_level();
            if (!operand) return operand;
            operands.push_back(std::move(*operand));
            if (!at_op("//")) break;
            operators.push_back(&next());
            if (auto status = check_chain(static_cast<int>(operators.size())); !status) {
                return status.error();
            }
        }
        NodePtr node = std::move(operands.back());
        for (std::size_t i = operators.size(); i-- > 0;) {
            node =
                make(NodeKind::alternative, *operators[i], std::move(operands[i]), std::move(node));
        }
        return node;
    }

    // jq 1.6 folds operators on two number literals at compile time, with C semantics. That is
    // visible: x / 0 is a compile error, 0 / 0 is NaN, and comparisons with NaN follow C (the
    // runtime order puts NaN below every number).
    static Expected<NodePtr> fold_constants(NodePtr node, const Token& op_token) {
        const Node& a = node->child(0);
        const Node& b = node->child(1);
        if (!a.is_literal() || !b.is_literal() || !a.literal.is_number() ||
            !b.literal.is_number()) {
            return node;
        }
        const double x = a.literal.as_number();
        const double y = b.literal.as_number();
        Value result;
        switch (node->op) {
            case BinaryOp::add:
                result = Value::number(x + y);
                break;
            case BinaryOp::subtract:
                result = Value::number(x - y);
                break;
            case BinaryOp::multiply:
                result = Value::number(x * y);
                break;
            case BinaryOp::divide:
                if (y == 0 && x != 0) return error_at(op_token, "Division by zero?");
                result = Value::number(x / y);
                break;
            case BinaryOp::modulo:
                return node;  // evaluated at run time, like jq
            case BinaryOp::equal:
                result = Value::boolean(x == y);
                break;
            case BinaryOp::not_equal:
                result = Value::boolean(x != y);
                break;
            case BinaryOp::less:
                result = Value::boolean(x < y);
                break;
            case BinaryOp::less_equal:
                result = Value::boolean(x <= y);
                break;
            case BinaryOp::greater:
                result = Value::boolean(x > y);
                break;
            case BinaryOp::greater_equal:
                result = Value::boolean(x >= y);
                break;
        }
        return literal(op_token, std::move(result));
    }

    // jq 1.6 turns arrays and objects built only from constants into constants, which matters for
    // object keys: {([1]): 2} is a compile error, not a run-time one.
    static NodePtr fold_constant_array(NodePtr node) {
        const Node& body = node->child(0);
        Array items;
        if (body.is_literal()) {
            items.push_back(body.literal);
        } else if (body.kind == NodeKind::comma &&
                   std::all_of(body.children.begin(), body.children.end(),
                               [](const NodePtr& item) { return item->is_literal(); })) {
            for (const NodePtr& item : body.children) items.push_back(item->literal);
        } else {
            return node;
        }
        return literal(*node, Value::array(std::move(items)));
    }

    static NodePtr fold_constant_object(NodePtr node) {
        Object members;
        for (std::size_t i = 0; i < node->children.size(); i += 2) {
            const Node& key = node->child(i);
            const Node& value = node->child(i + 1);
            if (!key.is_literal() || !key.literal.is_string() || !value.is_literal()) return node;
            members.set(key.literal.as_string(), value.literal);
        }
        return literal(*node, Value::object(std::move(members)));
    }

    // jq's non-associative assignment level; kpipe refuses every assignment operator.
    Expected<NodePtr> parse_assignment_level() {
        auto lhs = parse_or();
        if (!lhs) return lhs;
        static constexpr std::string_view assignments[] = {
            "=", "|=", "+=", "-=", "*=", "/=", "%=", "//="};
        for (std::string_view op : assignments) {
            if (at_op(op)) {
                return refusal_error(peek().line, peek().column,
                                     "assignment operator '" + std::string(op) + "'");
            }
        }
        return lhs;
    }

    Expected<NodePtr> parse_or() {
        auto lhs = parse_and();
        if (!lhs) return lhs;
        int chain = 0;
        while (at_word("or")) {
            if (auto status = check_chain(++chain); !status) return status.error();
            const Token& op = next();
            auto rhs = parse_and();
            if (!rhs) return rhs;
            lhs = make(NodeKind::or_, op, std::move(*lhs), std::move(*rhs));
        }
        return lhs;
    }

    Expected<NodePtr> parse_and() {
        auto lhs = parse_comparison();
        if (!lhs) return lhs;
        int chain = 0;
        while (at_word("and")) {
            if (auto status = check_chain(++chain); !status) return status.error();
            const Token& op = next();
            auto rhs = parse_comparison();
            if (!rhs) return rhs;
            lhs = make(NodeKind::and_, op, std::move(*lhs), std::move(*rhs));
        }
        return lhs;
    }

    std::optional<BinaryOp> comparison_op() const {
        if (peek().kind != TokenKind::op) return std::nullopt;
        const std::string& t = peek().text;
        if (t == "==") return BinaryOp::equal;
        if (t == "!=") return BinaryOp::not_equal;
        if (t == "<") return BinaryOp::less;
        if (t == "<=") return BinaryOp::less_equal;
        if (t == ">") return BinaryOp::greater;
        if (t == ">=") return BinaryOp::greater_equal;
        return std::nullopt;
    }

    Expected<NodePtr> parse_comparison() {
        auto lhs = parse_additive();
        if (!lhs) return lhs;
        if (auto op = comparison_op()) {
            const Token& op_token = next();
            auto rhs = parse_additive();
            if (!rhs) return rhs;
            if (comparison_op()) {
                return error_at(peek(),
                                "comparison operators do not chain (non-associative in "
                                "jq); add parentheses before " +
                                    describe(peek()));
            }
            auto node = make(NodeKind::binary, op_token, std::move(*lhs), std::move(*rhs));
            node->op = *op;
            return fold_constants(std::move(node), op_token);
        }
        return lhs;
    }

    Expected<NodePtr> parse_additive() {
        auto lhs = parse_multiplicative();
        if (!lhs) return lhs;
        int chain = 0;
        while (at_op("+") || at_op("-")) {
            if (auto status = check_chain(++chain); !status) return status.error();
            const Token& op_token = next();
            auto rhs = parse_multiplicative();
            if (!rhs) return rhs;
            auto node = make(NodeKind::binary, op_token, std::move(*lhs), std::move(*rhs));
            node->op = op_token.text == "+" ? BinaryOp::add : BinaryOp::subtract;
            auto folded = fold_constants(std::move(node), op_token);
            if (!folded) return folded;
            lhs = std::move(*folded);
        }
        return lhs;
    }

    Expected<NodePtr> parse_multiplicative() {
        auto lhs = parse_unary();
        if (!lhs) return lhs;
        int chain = 0;
        while (at_op("*") || at_op("/") || at_op("%")) {
            if (auto status = check_chain(++chain); !status) return status.error();
            const Token& op_token = next();
            auto rhs = parse_unary();
            if (!rhs) return rhs;
            auto node = make(NodeKind::binary, op_token, std::move(*lhs), std::move(*rhs));
            node->op = op_token.text == "*"   ? BinaryOp::multiply
                       : op_token.text == "/" ? BinaryOp::divide
                                              : BinaryOp::modulo;
            auto folded = fold_constants(std::move(node), op_token);
            if (!folded) return folded;
            lhs = std::move(*folded);
        }
        return lhs;
    }

    // jq's `'-' Exp` takes the precedence of binary minus: `-1 * 2` is -(1 * 2).
    Expected<NodePtr> parse_unary() {
        if (at_op("-")) {
            DepthGuard guard(depth_);
            if (auto status = check_depth(); !status) return status.error();
            const Token& minus = next();
            auto operand = parse_multiplicative();
            if (!operand) return operand;
            return make(NodeKind::negate, minus, std::move(*operand));
        }
        return parse_postfix();
    }

    // --- terms ---------------------------------------------------------------------------
    void take_optional(Node& node) {
        if (at(TokenKind::question)) {
            next();
            node.optional = true;
        }
    }

    // A term and its suffixes. In jq's grammar a `?` after anything but an index (`.a?`, `.[e]?`,
    // `.[]?`) applies to a whole expression (`Exp '?'`): nothing but another `?` may follow it,
    // and it cannot stand as an object value (`{a: (1)?}` is a syntax error in jq).
    Expected<NodePtr> parse_postfix(bool allow_try = true) {
        auto term = parse_primary();
        if (!term) return term;
        NodePtr node = std::move(*term);
        bool after_try = false;
        for (int chain = 0;; ++chain) {
            if (auto status = check_chain(chain); !status) return status.error();
            const bool path_suffix = at(TokenKind::field) || at(TokenKind::l_bracket) ||
                                     (at(TokenKind::dot) && peek(1).kind == TokenKind::string);
            if (after_try && path_suffix) {
                return error_at(peek(), "unexpected " + describe(peek()) +
                                            " after '?' (jq applies this '?' to the whole "
                                            "expression; add parentheses)");
            }
            if (at(TokenKind::field)) {
                const Token& field = next();
                node = field_of(std::move(node), field, field.text);
                take_optional(*node);
            } else if (at(TokenKind::dot) && peek(1).kind == TokenKind::string) {
                const Token& dot = next();
                node = field_of(std::move(node), dot, next().text);
                take_optional(*node);
            } else if (at(TokenKind::dot) && peek(1).kind == TokenKind::l_bracket) {
                return error_at(peek(),
                                "unexpected '.' before '[' (jq 1.6 writes .a[0], not .a.[0])");
            } else if (at(TokenKind::l_bracket)) {
                auto suffix = parse_bracket_suffix(std::move(node));
                if (!suffix) return suffix;
                node = std::move(*suffix);
            } else if (at(TokenKind::question)) {
                if (!allow_try) {
                    return error_at(peek(),
                                    "expected ',' or '}' in object construction, found "
                                    "'?' (jq needs parentheses around (expr)? in object "
                                    "values)");
                }
                const Token& question = next();
                node = make(NodeKind::try_, question, std::move(node));
                after_try = true;
            } else if (at_word("as")) {
                return refusal_error(peek().line, peek().column,
                                     "'as' (variable binding and destructuring)");
            } else if (at_op("?//")) {
                return refusal_error(peek().line, peek().column,
                                     "'?//' (destructuring alternative operator)");
            } else {
                return node;
            }
        }
    }

    // After a term: `[]`, `[e]`, or a refused slice `[e:f]`.
    Expected<NodePtr> parse_bracket_suffix(NodePtr target) {
        const Token& open = next();
        if (at(TokenKind::r_bracket)) {
            next();
            auto node = make(NodeKind::iterate, open, std::move(target));
            take_optional(*node);
            return node;
        }
        if (at(TokenKind::colon))
            return refusal_error(peek().line, peek().column, "slices '.[from:to]'");
        auto key = parse_pipe();
        if (!key) return key;
        if (at(TokenKind::colon))
            return refusal_error(peek().line, peek().column, "slices '.[from:to]'");
        if (auto status = expect(TokenKind::r_bracket, "]", "to close the index"); !status) {
            return status.error();
        }
        auto node = make(NodeKind::index, open, std::move(target), std::move(*key));
        take_optional(*node);
        return node;
    }

    Expected<NodePtr> parse_primary() {
        const Token& token = peek();
        switch (token.kind) {
            case TokenKind::dot: {
                next();
                if (at(TokenKind::string)) {
                    const Token& name = next();
                    auto node = field_of(make(NodeKind::identity, token), token, name.text);
                    take_optional(*node);
                    return node;
                }
                return make(NodeKind::identity, token);
            }
            case TokenKind::field: {
                next();
                auto node = field_of(make(NodeKind::identity, token), token, token.text);
                take_optional(*node);
                return node;
            }
            case TokenKind::dot_dot:
                return refusal_error(token.line, token.column, "recursive descent '..'");
            case TokenKind::number:
                next();
                return literal(token, Value::number(token.number));
            case TokenKind::string:
                next();
                return literal(token, Value::string(token.text));
            case TokenKind::format:
                return refusal_error(token.line, token.column,
                                     "format strings (" + token.text + ")");
            case TokenKind::variable:
                if (token.text == "$__loc__")
                    return refusal_error(token.line, token.column, "'$__loc__'");
                return refusal_error(token.line, token.column, "variables (" + token.text + ")");
            case TokenKind::l_paren: {
                next();
                auto inner = parse_pipe();
                if (!inner) return inner;
                if (auto status = expect(TokenKind::r_paren, ")", "to close '('"); !status) {
                    return status.error();
                }
                return inner;
            }
            case TokenKind::l_bracket: {
                next();
                if (at(TokenKind::r_bracket)) {
                    next();
                    return literal(token, Value::array({}));
                }
                auto inner = parse_pipe();
                if (!inner) return inner;
                if (auto status = expect(TokenKind::r_bracket, "]", "to close '['"); !status) {
                    return status.error();
                }
                return fold_constant_array(make(NodeKind::array, token, std::move(*inner)));
            }
            case TokenKind::l_brace:
                return parse_object();
            case TokenKind::identifier:
                return parse_word();
            case TokenKind::op:
                if (token.text == "?//") {
                    return refusal_error(token.line, token.column,
                                         "'?//' (destructuring alternative operator)");
                }
                return error_at(token, "unexpected " + describe(token));
            case TokenKind::end:
                return error_at(token, "unexpected end of filter, expected a term");
            default:
                return error_at(token, "unexpected " + describe(token));
        }
    }

    Expected<NodePtr> parse_word() {
        const Token& token = next();
        const std::string& word = token.text;
        for (const auto& refused : refused_keywords) {
            if (word == refused.keyword)
                return refusal_error(token.line, token.column, refused.feature);
        }
        if (word == "if") return parse_if(token);
        if (is_structural_keyword(word)) return error_at(token, "unexpected '" + word + "'");
        if (word.find("::") != std::string::npos) {
            return refusal_error(token.line, token.column, "modules (" + word + ")");
        }

        std::vector<NodePtr> args;
        if (at(TokenKind::l_paren)) {
            next();
            for (;;) {
                auto arg = parse_pipe();
                if (!arg) return arg;
                args.push_back(std::move(*arg));
                if (at(TokenKind::semicolon)) {
                    next();
                    continue;
                }
                if (auto status =
                        expect(TokenKind::r_paren, ")", "to close the arguments of '" + word + "'");
                    !status) {
                    return status.error();
                }
                break;
            }
        }
        const int arity = static_cast<int>(args.size());
        if (arity == 0 && (word == "true" || word == "false" || word == "null")) {
            return literal(token, word == "null" ? Value() : Value::boolean(word == "true"));
        }
        const auto spec = std::find_if(builtins.begin(), builtins.end(),
                                       [&](const BuiltinSpec& s) { return s.name == word; });
        if (spec == builtins.end())
            return refusal_error(token.line, token.column, "'" + word + "'");
        if (arity < spec->min_args || arity > spec->max_args) {
            std::string takes = std::to_string(spec->min_args);
            if (spec->max_args != spec->min_args) takes += " or " + std::to_string(spec->max_args);
            return error_at(token, "'" + word + "/" + std::to_string(arity) +
                                       "' is not defined: '" + word + "' takes " + takes +
                                       " argument" +
                                       (spec->max_args == 1 && spec->min_args == 1 ? "" : "s"));
        }
        auto node = make(NodeKind::call, token);
        node->builtin = spec->builtin;
        node->children = std::move(args);
        if (node->builtin == Builtin::test && node->children.size() == 2 &&
            node->children[1]->is_literal() && node->children[1]->literal.is_string()) {
            const Node& flags = *node->children[1];
            const RegexFlags parsed = parse_regex_flags(flags.literal.as_string());
            if (parsed.problem == RegexFlags::Problem::unsupported) {
                return refusal_error(flags.line, flags.column, parsed.message);
            }
        }
        return node;
    }

    Expected<NodePtr> parse_if(const Token& if_token) {
        auto node = make(NodeKind::if_, if_token);
        for (;;) {
            auto condition = parse_pipe();
            if (!condition) return condition;
            if (auto status = expect_word("then", "after the 'if' condition"); !status) {
                return status.error();
            }
            auto branch = parse_pipe();
            if (!branch) return branch;
            node->children.push_back(std::move(*condition));
            node->children.push_back(std::move(*branch));
            if (at_word("elif")) {
                next();
                continue;
            }
            if (at_word("else")) {
                next();
                break;
            }
            return error_at(peek(), "expected 'elif' or 'else', found " + describe(peek()) +
                                        " (jq 1.6 requires an else branch)");
        }
        auto otherwise = parse_pipe();
        if (!otherwise) return otherwise;
        node->children.push_back(std::move(*otherwise));
        if (auto status = expect_word("end", "to close 'if'"); !status) return status.error();
        return node;
    }

    Expected<NodePtr> parse_object() {
        const Token& open = next();
        auto node = make(NodeKind::object, open);
        if (at(TokenKind::r_brace)) {
            next();
            return literal(open, Value::object({}));
        }
        for (;;) {
            const Token& key_token = peek();
            NodePtr key;
            NodePtr value;
            switch (key_token.kind) {
                case TokenKind::identifier: {
                    next();
                    if (key_token.text.find("::") != std::string::npos) {
                        return error_at(key_token, "unexpected " + describe(key_token));
                    }
                    key = literal(key_token, Value::string(key_token.text));
                    if (!at(TokenKind::colon)) {
                        if (is_structural_keyword(key_token.text) ||
                            std::any_of(
                                refused_keywords.begin(), refused_keywords.end(),
                                [&](const auto& r) { return r.keyword == key_token.text; })) {
                            return error_at(peek(), "expected ':' after the keyword key '" +
                                                        key_token.text + "'");
                        }
                        value = field_of(make(NodeKind::identity, key_token), key_token,
                                         key_token.text);
                    }
                    break;
                }
                case TokenKind::string:
                    next();
                    key = literal(key_token, Value::string(key_token.text));
                    if (!at(TokenKind::colon)) {
                        value = field_of(make(NodeKind::identity, key_token), key_token,
                                         key_token.text);
                    }
                    break;
                case TokenKind::variable:
                    if (key_token.text == "$__loc__") {
                        return refusal_error(key_token.line, key_token.column, "'$__loc__'");
                    }
                    return refusal_error(key_token.line, key_token.column,
                                         "variables (" + key_token.text + ")");
                case TokenKind::format:
                    return refusal_error(key_token.line, key_token.column,
                                         "format strings (" + key_token.text + ")");
                case TokenKind::l_paren: {
                    next();
                    auto expr = parse_pipe();
                    if (!expr) return expr;
                    if (auto status = expect(TokenKind::r_paren, ")", "to close the object key");
                        !status) {
                        return status.error();
                    }
                    key = std::move(*expr);
                    if (key->is_literal() && !key->literal.is_string()) {
                        return error_at(key_token, "Cannot use " + kind_and_value(key->literal) +
                                                       " as object key");
                    }
                    if (!at(TokenKind::colon)) {
                        return error_at(
                            peek(), "expected ':' after the object key, found " + describe(peek()));
                    }
                    break;
                }
                default:
                    return error_at(
                        key_token, "expected an object key (name, string or (expression)), found " +
                                       describe(key_token));
            }
            if (!value) {
                next();  // ':'
                auto parsed = parse_object_value();
                if (!parsed) return parsed;
                value = std::move(*parsed);
            }
            node->children.push_back(std::move(key));
            node->children.push_back(std::move(value));
            if (at(TokenKind::comma)) {
                next();
                if (at(TokenKind::r_brace)) {  // jq 1.6 allows a trailing comma
                    next();
                    return fold_constant_object(std::move(node));
                }
                continue;
            }
            if (at(TokenKind::r_brace)) {
                next();
                return fold_constant_object(std::move(node));
            }
            return error_at(
                peek(), "expected ',' or '}' in object construction, found " + describe(peek()) +
                            (peek().kind == TokenKind::op
                                 ? " (jq needs parentheses around operators in object values)"
                                 : ""));
        }
    }

    // jq's ExpD: `ExpD | ExpD`, `-ExpD`, or a term.
    Expected<NodePtr> parse_object_value() {
        DepthGuard guard(depth_);
        if (auto status = check_depth(); !status) return status.error();
        NodePtr lhs;
        if (at_op("-")) {
            const Token& minus = next();
            auto operand = parse_object_value_term();
            if (!operand) return operand;
            lhs = make(NodeKind::negate, minus, std::move(*operand));
        } else {
            auto term = parse_postfix(false);
            if (!term) return term;
            lhs = std::move(*term);
        }
        if (at(TokenKind::pipe)) {
            const Token& bar = next();
            auto rhs = parse_object_value();
            if (!rhs) return rhs;
            return pipe_of(bar, std::move(lhs), std::move(*rhs));
        }
        return lhs;
    }

    Expected<NodePtr> parse_object_value_term() {
        DepthGuard guard(depth_);
        if (auto status = check_depth(); !status) return status.error();
        if (at_op("-")) {
            const Token& minus = next();
            auto operand = parse_object_value_term();
            if (!operand) return operand;
            return make(NodeKind::negate, minus, std::move(*operand));
        }
        return parse_postfix(false);
    }

    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

}  // namespace

std::string_view binary_op_spelling(BinaryOp op) {
    switch (op) {
        case BinaryOp::add:
            return "+";
        case BinaryOp::subtract:
            return "-";
        case BinaryOp::multiply:
            return "*";
        case BinaryOp::divide:
            return "/";
        case BinaryOp::modulo:
            return "%";
        case BinaryOp::equal:
            return "==";
        case BinaryOp::not_equal:
            return "!=";
        case BinaryOp::less:
            return "<";
        case BinaryOp::less_equal:
            return "<=";
        case BinaryOp::greater:
            return ">";
        case BinaryOp::greater_equal:
            return ">=";
    }
    return "?";
}

Expected<NodePtr> parse_filter(std::string_view source) {
    auto tokens = tokenize(source);
    if (!tokens) return tokens.error();
    auto root = Parser(std::move(*tokens)).parse();
    if (!root) return root;
    // The parser bounds its own recursion; chains inside nested terms can still stack up, so the
    // finished tree is measured too (without recursion): evaluation recurses along it.
    std::vector<std::pair<const Node*, int>> pending{{root->get(), 1}};
    while (!pending.empty()) {
        const auto [node, depth] = pending.back();
        pending.pop_back();
        if (depth > max_tree_depth) {
            return filter_error_at(node->line, node->column, "filter is nested too deeply");
        }
        for (const auto& child : node->children) pending.emplace_back(child.get(), depth + 1);
    }
    return root;
}

}  // namespace kpipe::filter
