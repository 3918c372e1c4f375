#include "filter/parser.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "filter/builtins.hpp"
#include "filter/json_writer.hpp"
#include "filter/lexer.hpp"
#include "filter/native_table.hpp"
#include "filter/prelude.hpp"

namespace kpipe::filter {

namespace {

constexpr int max_nesting = 256;     // parser recursion and chains (.a.b.c..., a + b + c ...)
constexpr int max_tree_depth = 512;  // the evaluator recurses along the tree

bool is_keyword(std::string_view word) {
    static constexpr std::string_view keywords[] = {
        "if",    "then",   "elif",    "else",  "end",   "and",   "or",     "reduce",
        "foreach", "try",  "catch",   "label", "import", "include", "def", "as",
        "__loc__", "break"};
    return std::find(std::begin(keywords), std::end(keywords), word) != std::end(keywords);
}

bool is_structural_keyword(std::string_view word) {
    return word == "then" || word == "elif" || word == "else" || word == "end" || word == "and" ||
           word == "or" || word == "catch" || word == "as";
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
        case TokenKind::interpolated:
            return "string interpolation";
        case TokenKind::field:
            return "'." + token.text + "'";
        default:
            return "'" + token.text + "'";
    }
}

// What a name in scope is: each entry is one frame of the evaluator's environment.
struct ScopeEntry {
    enum class Kind { variable, function, param, label };
    Kind kind;
    std::string name;
    int arity = 0;
    const Node* function = nullptr;
};

class Parser {
  public:
    Parser(std::vector<Token> tokens, const GlobalVariables& globals, Prelude* defining)
        : tokens_(std::move(tokens)), globals_(globals), defining_(defining) {}

    Expected<NodePtr> parse() {
        // Like jq, an empty program (or only comments) is the identity.
        if (at(TokenKind::end)) return make(NodeKind::identity, peek());
        auto root = parse_pipe();
        if (!root) return root;
        if (peek().kind != TokenKind::end) return unexpected_after_filter();
        return root;
    }

    // The prelude: definitions only, each registered as a global function.
    Status parse_definitions() {
        while (at_word("def")) {
            const Token& def = next();
            auto node = parse_definition(def);
            if (!node) return node.error();
            defining_->add(std::move(*node));
        }
        if (!at(TokenKind::end)) return unexpected_after_filter();
        return ok();
    }

  private:
    Error unexpected_after_filter() const {
        if (peek().kind == TokenKind::r_paren || peek().kind == TokenKind::r_bracket ||
            peek().kind == TokenKind::r_brace) {
            return error_at(peek(), "unmatched " + describe(peek()));
        }
        return error_at(peek(), "unexpected " + describe(peek()) + " after a complete filter");
    }

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

    // --- scope ---------------------------------------------------------------------------
    class ScopeMark {
      public:
        explicit ScopeMark(std::vector<ScopeEntry>& scope) : scope_(scope), size_(scope.size()) {}
        ~ScopeMark() { scope_.resize(size_); }
        ScopeMark(const ScopeMark&) = delete;
        ScopeMark& operator=(const ScopeMark&) = delete;

      private:
        std::vector<ScopeEntry>& scope_;
        std::size_t size_;
    };

    void push_variable(std::string name) {
        scope_.push_back({ScopeEntry::Kind::variable, std::move(name), 0, nullptr});
    }

    // The frame `name` lives in, counted from the innermost, or nullopt.
    std::optional<int> find_variable(std::string_view name) const {
        for (std::size_t i = scope_.size(); i-- > 0;) {
            const ScopeEntry& entry = scope_[i];
            if (entry.kind == ScopeEntry::Kind::variable && entry.name == name)
                return static_cast<int>(scope_.size() - 1 - i);
        }
        return std::nullopt;
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

    // jq's non-associative assignment level.
    Expected<NodePtr> parse_assignment_level() {
        auto lhs = parse_or();
        if (!lhs) return lhs;
        static constexpr std::string_view assignments[] = {
            "=", "|=", "+=", "-=", "*=", "/=", "%=", "//="};
        for (std::string_view op : assignments) {
            if (at_op(op)) {
                const Token& op_token = next();
                auto rhs = parse_or();
                if (!rhs) return rhs;
                for (std::string_view again : assignments) {
                    if (at_op(again)) {
                        return error_at(peek(), "assignment operators do not chain "
                                                "(non-associative in jq); add parentheses");
                    }
                }
                auto node = make(NodeKind::assign, op_token, std::move(*lhs), std::move(*rhs));
                node->name = std::string(op);
                return node;
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
    // `Term as $x | body` is parsed here too, unless `allow_as` is false (reduce, foreach).
    Expected<NodePtr> parse_postfix(bool allow_try = true, bool allow_as = true) {
        auto term = parse_primary();
        if (!term) return term;
        NodePtr node = std::move(*term);
        bool after_try = false;
        for (int chain = 0;; ++chain) {
            if (auto status = check_chain(chain); !status) return status.error();
            const bool path_suffix = at(TokenKind::field) || at(TokenKind::l_bracket) ||
                                     (at(TokenKind::dot) && (peek(1).kind == TokenKind::string ||
                                                             peek(1).kind == TokenKind::l_bracket));
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
                next();  // jq 1.7 allows .a.[0] for .a[0]
                auto suffix = parse_bracket_suffix(std::move(node));
                if (!suffix) return suffix;
                node = std::move(*suffix);
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
            } else if (at_word("as") && allow_as) {
                return parse_binding(std::move(node));
            } else {
                return node;
            }
        }
    }

    // After a term: `[]`, `[e]`, `[e:f]`, `[e:]` or `[:f]`.
    Expected<NodePtr> parse_bracket_suffix(NodePtr target) {
        const Token& open = next();
        if (at(TokenKind::r_bracket)) {
            next();
            auto node = make(NodeKind::iterate, open, std::move(target));
            take_optional(*node);
            return node;
        }
        NodePtr from;
        if (!at(TokenKind::colon)) {
            auto key = parse_pipe();
            if (!key) return key;
            from = std::move(*key);
        }
        if (at(TokenKind::colon)) {
            next();
            NodePtr to;
            if (!at(TokenKind::r_bracket)) {
                auto parsed = parse_pipe();
                if (!parsed) return parsed;
                to = std::move(*parsed);
            } else if (!from) {
                return error_at(peek(), "a slice needs a start or an end: '.[from:to]'");
            }
            if (auto status = expect(TokenKind::r_bracket, "]", "to close the slice"); !status) {
                return status.error();
            }
            auto node = make(NodeKind::slice, open, std::move(target));
            node->children.push_back(from ? std::move(from) : literal(open, Value()));
            node->children.push_back(to ? std::move(to) : literal(open, Value()));
            take_optional(*node);
            return node;
        }
        if (auto status = expect(TokenKind::r_bracket, "]", "to close the index"); !status) {
            return status.error();
        }
        auto node = make(NodeKind::index, open, std::move(target), std::move(from));
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
                next();
                return make(NodeKind::recurse_default, token);
            case TokenKind::number:
                next();
                return literal(token, Value::number(token.number));
            case TokenKind::string:
                next();
                return literal(token, Value::string(token.text));
            case TokenKind::interpolated:
                next();
                return parse_interpolation(token, "");
            case TokenKind::format: {
                next();
                if (auto status = check_format(token); !status) return status.error();
                if (at(TokenKind::string)) {
                    // A constant string after a format is not formatted: @base64 "x" is "x".
                    const Token& string = next();
                    return literal(string, Value::string(string.text));
                }
                if (at(TokenKind::interpolated)) {
                    const Token& string = next();
                    return parse_interpolation(string, token.text);
                }
                auto node = make(NodeKind::format, token);
                node->name = token.text;
                return node;
            }
            case TokenKind::variable:
                next();
                return variable_reference(token);
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
                return error_at(token, "unexpected " + describe(token));
            case TokenKind::end:
                return error_at(token, "unexpected end of filter, expected a term");
            default:
                return error_at(token, "unexpected " + describe(token));
        }
    }

    static Status check_format(const Token& token) {
        if (!is_format_name(token.text)) {
            return error_at(token, token.text + " is not a valid format (formats: " +
                                       std::string(format_names()) + ")");
        }
        return ok();
    }

    // "a\(x)b" (with `format`, @fmt "a\(x)b"): parts alternate with the parsed expressions.
    Expected<NodePtr> parse_interpolation(const Token& string, const std::string& format) {
        auto node = make(NodeKind::interpolation, string);
        node->name = format.empty() ? "@text" : format;
        for (std::size_t i = 0; i < string.expressions.size(); ++i) {
            node->children.push_back(literal(string, Value::string(string.parts[i])));
            Parser inner(string.expressions[i], globals_, defining_);
            inner.scope_ = scope_;
            inner.depth_ = depth_;
            auto expression = inner.parse();
            if (!expression) return expression;
            node->children.push_back(std::move(*expression));
        }
        node->children.push_back(literal(string, Value::string(string.parts.back())));
        return node;
    }

    Expected<NodePtr> variable_reference(const Token& token) {
        const std::string name = token.text.substr(1);
        if (name == "__loc__") {
            Object loc;
            loc.set("file", Value::string("<stdin>"));
            loc.set("line", Value::number(token.line));
            return literal(token, Value::object(std::move(loc)));
        }
        if (auto hops = find_variable(name)) {
            auto node = make(NodeKind::variable, token);
            node->name = name;
            node->hops = *hops;
            return node;
        }
        for (const auto& [global_name, value] : globals_) {
            if (global_name == name) return literal(token, value);
        }
        if (name == "ENV") {
            auto node = make(NodeKind::call, token);
            node->builtin = Builtin::env;
            node->name = "$ENV";
            return node;
        }
        return error_at(token, "$" + name + " is not defined");
    }

    Expected<NodePtr> parse_word() {
        const Token& token = peek();
        const std::string& word = token.text;
        if (word == "if") return parse_if(next());
        if (word == "try") return parse_try(next());
        if (word == "reduce" || word == "foreach") return parse_fold(next());
        if (word == "def") {
            next();
            return parse_local_definition(token);
        }
        if (word == "label") return parse_label(next());
        if (word == "break") return parse_break(next());
        if (word == "import" || word == "include") {
            return refusal_error(token.line, token.column,
                                 "'" + word + "' (modules: a filter is one self-contained program)");
        }
        if (is_structural_keyword(word)) return error_at(token, "unexpected '" + word + "'");
        if (word.find("::") != std::string::npos) {
            return refusal_error(token.line, token.column,
                                 "modules (" + word + ": a filter is one self-contained program)");
        }
        next();

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
        // Local definitions and parameters, innermost first.
        for (std::size_t i = scope_.size(); i-- > 0;) {
            const ScopeEntry& entry = scope_[i];
            if (entry.name != word || entry.arity != arity) continue;
            const int hops = static_cast<int>(scope_.size() - 1 - i);
            if (entry.kind == ScopeEntry::Kind::param) {
                auto node = make(NodeKind::call_param, token);
                node->name = word;
                node->hops = hops;
                return node;
            }
            if (entry.kind == ScopeEntry::Kind::function) {
                auto node = make(NodeKind::call_function, token);
                node->name = word;
                node->hops = hops;
                node->function = entry.function;
                node->children = std::move(args);
                return node;
            }
        }
        if (arity == 0 && (word == "true" || word == "false" || word == "null")) {
            return literal(token, word == "null" ? Value() : Value::boolean(word == "true"));
        }
        // While the prelude itself is parsed, only what it has defined so far is global.
        const Node* global =
            defining_ ? defining_->find(word, arity) : prelude().find(word, arity);
        if (global) {
            auto node = make(NodeKind::call_function, token);
            node->name = word;
            node->function = global;
            node->global = true;
            node->children = std::move(args);
            return node;
        }
        const NativeSpec* spec = find_native(word, arity);
        if (!spec) {
            std::string message = word + "/" + std::to_string(arity) + " is not defined";
            const std::string arities = native_arities(word);
            if (!arities.empty()) message += " ('" + word + "' takes " + arities + ")";
            return error_at(token, message);
        }
        auto node = make(NodeKind::call, token);
        node->builtin = spec->builtin;
        node->name = word;
        node->children = std::move(args);
        return node;
    }

    // if c then a (elif c then a)* (else b)? end; jq 1.7 makes `else` optional (else .).
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
            if (at_word("end")) {
                next();
                node->children.push_back(make(NodeKind::identity, if_token));
                return node;
            }
            return error_at(peek(),
                            "expected 'elif', 'else' or 'end', found " + describe(peek()));
        }
        auto otherwise = parse_pipe();
        if (!otherwise) return otherwise;
        node->children.push_back(std::move(*otherwise));
        if (auto status = expect_word("end", "to close 'if'"); !status) return status.error();
        return node;
    }

    // try body (catch handler)?: both bind tighter than any operator, like jq's.
    Expected<NodePtr> parse_try(const Token& try_token) {
        DepthGuard guard(depth_);
        if (auto status = check_depth(); !status) return status.error();
        auto body = parse_postfix(true, false);
        if (!body) return body;
        auto node = make(NodeKind::try_, try_token, std::move(*body));
        if (at_word("catch")) {
            next();
            auto handler = parse_postfix(true, false);
            if (!handler) return handler;
            node->children.push_back(std::move(*handler));
        }
        return node;
    }

    // reduce SOURCE as PATTERN (INIT; UPDATE) and foreach SOURCE as PATTERN (INIT; UPDATE(; EXTRACT)?)
    Expected<NodePtr> parse_fold(const Token& keyword) {
        DepthGuard guard(depth_);
        if (auto status = check_depth(); !status) return status.error();
        const bool is_reduce = keyword.text == "reduce";
        auto node = make(is_reduce ? NodeKind::reduce : NodeKind::foreach, keyword);
        auto source = parse_postfix(true, false);
        if (!source) return source;
        node->children.push_back(std::move(*source));
        if (auto status = expect_word("as", "after the source of '" + keyword.text + "'");
            !status) {
            return status.error();
        }
        std::vector<std::string> names;
        auto pattern = parse_pattern(names);
        if (!pattern) return pattern.error();
        if (auto status = expect(TokenKind::l_paren, "(", "after the pattern of '" +
                                                              keyword.text + "'");
            !status) {
            return status.error();
        }
        // INIT sees the variables of the enclosing scope only.
        auto init = parse_pipe();
        if (!init) return init;
        node->children.push_back(std::move(*init));
        ScopeMark mark(scope_);
        for (auto& name : names) push_variable(name);
        const int parts = is_reduce ? 1 : 2;
        for (int i = 0; i < parts; ++i) {
            if (at(TokenKind::r_paren) && i == 1) break;
            if (auto status = expect(TokenKind::semicolon, ";", "in '" + keyword.text + "'");
                !status) {
                return status.error();
            }
            auto part = parse_pipe();
            if (!part) return part;
            node->children.push_back(std::move(*part));
        }
        if (auto status = expect(TokenKind::r_paren, ")", "to close '" + keyword.text + "'");
            !status) {
            return status.error();
        }
        node->patterns.push_back(std::move(*pattern));
        node->variables = static_cast<int>(names.size());
        return node;
    }

    // SOURCE as P1 ?// P2 ... | BODY
    Expected<NodePtr> parse_binding(NodePtr source) {
        const Token& as = next();
        auto node = make(NodeKind::bind, as, std::move(source));
        std::vector<std::string> names;
        for (;;) {
            auto pattern = parse_pattern(names);
            if (!pattern) return pattern.error();
            node->patterns.push_back(std::move(*pattern));
            if (!at_op("?//")) break;
            next();
        }
        if (auto status = expect(TokenKind::pipe, "|", "after the pattern of 'as'"); !status) {
            return status.error();
        }
        ScopeMark mark(scope_);
        for (auto& name : names) push_variable(name);
        auto body = parse_pipe();
        if (!body) return body;
        node->children.push_back(std::move(*body));
        node->variables = static_cast<int>(names.size());
        return node;
    }

    // A pattern's variables get slots in order of first appearance across all alternatives.
    static int slot_of(std::vector<std::string>& names, const std::string& name) {
        const auto found = std::find(names.begin(), names.end(), name);
        if (found != names.end()) return static_cast<int>(found - names.begin());
        names.push_back(name);
        return static_cast<int>(names.size() - 1);
    }

    Expected<Pattern> parse_pattern(std::vector<std::string>& names) {
        DepthGuard guard(depth_);
        if (auto status = check_depth(); !status) return status.error();
        Pattern pattern;
        if (at(TokenKind::variable)) {
            const Token& variable = next();
            if (variable.text == "$__loc__") return error_at(variable, "$__loc__ cannot be bound");
            pattern.kind = Pattern::Kind::variable;
            pattern.slot = slot_of(names, variable.text.substr(1));
            return pattern;
        }
        if (at(TokenKind::l_bracket)) {
            next();
            pattern.kind = Pattern::Kind::array;
            for (;;) {
                auto element = parse_pattern(names);
                if (!element) return element;
                pattern.elements.push_back(std::move(*element));
                if (at(TokenKind::comma)) {
                    next();
                    continue;
                }
                if (auto status = expect(TokenKind::r_bracket, "]", "to close the array pattern");
                    !status) {
                    return status.error();
                }
                return pattern;
            }
        }
        if (at(TokenKind::l_brace)) {
            next();
            pattern.kind = Pattern::Kind::object;
            for (;;) {
                Pattern::Entry entry;
                const Token& key = peek();
                bool needs_value = true;
                if (key.kind == TokenKind::variable) {
                    next();
                    entry.key = literal(key, Value::string(key.text.substr(1)));
                    entry.slot = slot_of(names, key.text.substr(1));
                    needs_value = false;
                } else if (key.kind == TokenKind::identifier) {
                    next();
                    entry.key = literal(key, Value::string(key.text));
                } else if (key.kind == TokenKind::string) {
                    next();
                    entry.key = literal(key, Value::string(key.text));
                } else if (key.kind == TokenKind::interpolated) {
                    next();
                    auto parsed = parse_interpolation(key, "");
                    if (!parsed) return parsed.error();
                    entry.key = std::move(*parsed);
                } else if (key.kind == TokenKind::l_paren) {
                    next();
                    auto parsed = parse_pipe();
                    if (!parsed) return parsed.error();
                    if (auto status = expect(TokenKind::r_paren, ")", "to close the key");
                        !status) {
                        return status.error();
                    }
                    entry.key = std::move(*parsed);
                } else {
                    return error_at(key, "expected a key in the object pattern, found " +
                                             describe(key));
                }
                if (at(TokenKind::colon)) {
                    next();
                    auto value = parse_pattern(names);
                    if (!value) return value;
                    entry.value.push_back(std::move(*value));
                } else if (needs_value) {
                    return error_at(peek(), "expected ':' and a pattern after the key, found " +
                                                describe(peek()));
                }
                pattern.entries.push_back(std::move(entry));
                if (at(TokenKind::comma)) {
                    next();
                    continue;
                }
                if (auto status = expect(TokenKind::r_brace, "}", "to close the object pattern");
                    !status) {
                    return status.error();
                }
                return pattern;
            }
        }
        return error_at(peek(), "expected a pattern ($name, [...] or {...}), found " +
                                    describe(peek()));
    }

    // def NAME(PARAMS): BODY;  — the definition node, its body parsed in its own scope.
    Expected<NodePtr> parse_definition(const Token& def) {
        if (!at(TokenKind::identifier) || is_keyword(peek().text)) {
            return error_at(peek(), "expected a function name after 'def', found " +
                                        describe(peek()));
        }
        const Token& name = next();
        auto node = make(NodeKind::func_def, def);
        node->name = name.text;
        std::vector<std::string> params;
        if (at(TokenKind::l_paren)) {
            next();
            for (;;) {
                if (at(TokenKind::variable)) {
                    params.push_back(next().text.substr(1));
                    node->value_params.push_back(true);
                } else if (at(TokenKind::identifier) && !is_keyword(peek().text)) {
                    params.push_back(next().text);
                    node->value_params.push_back(false);
                } else {
                    return error_at(peek(), "expected a parameter name, found " + describe(peek()));
                }
                if (at(TokenKind::semicolon)) {
                    next();
                    continue;
                }
                if (auto status = expect(TokenKind::r_paren, ")", "to close the parameters");
                    !status) {
                    return status.error();
                }
                break;
            }
        }
        if (auto status = expect(TokenKind::colon, ":", "after the function's name and parameters");
            !status) {
            return status.error();
        }
        const int arity = static_cast<int>(params.size());
        {
            ScopeMark mark(scope_);
            // Recursion: the body sees the function itself, a prelude function as a global
            // (its calls find no frame), any other in the frame its call starts from.
            if (defining_ && scope_.empty() && is_prelude_definition_) {
                defining_->declare(node->name, arity, node.get());
            } else {
                scope_.push_back({ScopeEntry::Kind::function, node->name, arity, node.get()});
            }
            for (const auto& param : params) {
                scope_.push_back({ScopeEntry::Kind::param, param, 0, nullptr});
            }
            for (std::size_t i = 0; i < params.size(); ++i) {
                if (node->value_params[i]) push_variable(params[i]);
            }
            auto body = parse_pipe();
            if (!body) return body;
            node->children.push_back(std::move(*body));
        }
        if (auto status = expect(TokenKind::semicolon, ";", "after the function body"); !status) {
            return status.error();
        }
        return node;
    }

    // def f: ...; REST
    Expected<NodePtr> parse_local_definition(const Token& def) {
        const bool outer_prelude = is_prelude_definition_;
        is_prelude_definition_ = false;
        auto node = parse_definition(def);
        is_prelude_definition_ = outer_prelude;
        if (!node) return node;
        ScopeMark mark(scope_);
        scope_.push_back({ScopeEntry::Kind::function, (*node)->name,
                          static_cast<int>((*node)->value_params.size()), node->get()});
        auto rest = parse_pipe();
        if (!rest) return rest;
        (*node)->children.push_back(std::move(*rest));
        return node;
    }

    Expected<NodePtr> parse_label(const Token& label) {
        if (!at(TokenKind::variable)) {
            return error_at(peek(), "expected '$name' after 'label', found " + describe(peek()));
        }
        const Token& name = next();
        if (auto status = expect(TokenKind::pipe, "|", "after the label"); !status) {
            return status.error();
        }
        auto node = make(NodeKind::label, label);
        node->name = name.text.substr(1);
        ScopeMark mark(scope_);
        scope_.push_back({ScopeEntry::Kind::label, node->name, 0, nullptr});
        auto body = parse_pipe();
        if (!body) return body;
        node->children.push_back(std::move(*body));
        return node;
    }

    Expected<NodePtr> parse_break(const Token& keyword) {
        if (!at(TokenKind::variable)) {
            return error_at(peek(), "expected '$name' after 'break', found " + describe(peek()));
        }
        const Token& name = next();
        const std::string label = name.text.substr(1);
        for (std::size_t i = scope_.size(); i-- > 0;) {
            if (scope_[i].kind == ScopeEntry::Kind::label && scope_[i].name == label) {
                auto node = make(NodeKind::break_, keyword);
                node->name = label;
                node->hops = static_cast<int>(scope_.size() - 1 - i);
                return node;
            }
        }
        return error_at(name, "$*label-" + label + " is not defined");
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
                        if (is_keyword(key_token.text)) {
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
                case TokenKind::interpolated:
                case TokenKind::format: {
                    auto parsed = parse_primary();
                    if (!parsed) return parsed;
                    key = std::move(*parsed);
                    if (!at(TokenKind::colon)) {
                        return error_at(peek(), "expected ':' after the object key, found " +
                                                    describe(peek()));
                    }
                    break;
                }
                case TokenKind::variable: {
                    next();
                    auto reference = variable_reference(key_token);
                    if (!reference) return reference;
                    const std::string name = key_token.text.substr(1);
                    key = literal(key_token, Value::string(name));
                    if (at(TokenKind::colon)) {
                        return error_at(peek(), "unexpected ':' after the variable key " +
                                                    key_token.text);
                    }
                    value = std::move(*reference);
                    break;
                }
                case TokenKind::number:
                    return error_at(key_token, "Cannot use number (" + key_token.text +
                                                   ") as object key");
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
                if (at(TokenKind::r_brace)) {  // jq allows a trailing comma
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
            auto term = parse_postfix(false, false);
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
        return parse_postfix(false, false);
    }

  public:
    bool is_prelude_definition_ = false;

  private:
    std::vector<Token> tokens_;
    const GlobalVariables& globals_;
    Prelude* defining_;  // the prelude being defined, or nullptr
    std::vector<ScopeEntry> scope_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

Status check_tree_depth(const Node& root) {
    // The parser bounds its own recursion; chains inside nested terms can still stack up, so the
    // finished tree is measured too (without recursion): evaluation recurses along it.
    std::vector<std::pair<const Node*, int>> pending{{&root, 1}};
    while (!pending.empty()) {
        const auto [node, depth] = pending.back();
        pending.pop_back();
        if (depth > max_tree_depth) {
            return filter_error_at(node->line, node->column, "filter is nested too deeply");
        }
        for (const auto& child : node->children) pending.emplace_back(child.get(), depth + 1);
    }
    return ok();
}

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

Expected<NodePtr> parse_filter(std::string_view source, const GlobalVariables& globals) {
    auto tokens = tokenize(source);
    if (!tokens) return tokens.error();
    auto root = Parser(std::move(*tokens), globals, nullptr).parse();
    if (!root) return root;
    if (auto status = check_tree_depth(**root); !status) return status.error();
    return root;
}

Status parse_prelude(std::string_view source, Prelude& prelude) {
    auto tokens = tokenize(source);
    if (!tokens) return tokens.error();
    static const GlobalVariables none;
    Parser parser(std::move(*tokens), none, &prelude);
    parser.is_prelude_definition_ = true;
    return parser.parse_definitions();
}

}  // namespace kpipe::filter
