#include "filter/parser.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "filter/json_writer.hpp"

using kpipe::filter::BinaryOp;
using kpipe::filter::Builtin;
using kpipe::filter::Node;
using kpipe::filter::NodeKind;
using kpipe::filter::parse_filter;

namespace {

// A fully parenthesised rendering of the tree, to check precedence and associativity.
std::string show(const Node& node) {
    auto kids = [&](std::string_view separator) {
        std::string out;
        for (std::size_t i = 0; i < node.children.size(); ++i) {
            if (i > 0) out += separator;
            out += show(node.child(i));
        }
        return out;
    };
    switch (node.kind) {
        case NodeKind::identity:
            return ".";
        case NodeKind::literal:
            return kpipe::filter::to_json(node.literal);
        case NodeKind::index:
            return show(node.child(0)) + "[" + show(node.child(1)) + "]" +
                   (node.optional ? "?" : "");
        case NodeKind::iterate:
            return show(node.child(0)) + "[]" + (node.optional ? "?" : "");
        case NodeKind::try_:
            return "try(" + show(node.child(0)) + ")";
        case NodeKind::pipe:
            return "(" + kids(" | ") + ")";
        case NodeKind::comma:
            return "(" + kids(", ") + ")";
        case NodeKind::array:
            return "[" + kids("") + "]";
        case NodeKind::object: {
            std::string out = "{";
            for (std::size_t i = 0; i < node.children.size(); i += 2) {
                if (i > 0) out += ", ";
                out += show(node.child(i)) + ": " + show(node.child(i + 1));
            }
            return out + "}";
        }
        case NodeKind::negate:
            return "neg(" + show(node.child(0)) + ")";
        case NodeKind::binary:
            return "(" + show(node.child(0)) + " " +
                   std::string(kpipe::filter::binary_op_spelling(node.op)) + " " +
                   show(node.child(1)) + ")";
        case NodeKind::and_:
            return "(" + kids(" and ") + ")";
        case NodeKind::or_:
            return "(" + kids(" or ") + ")";
        case NodeKind::alternative:
            return "(" + kids(" // ") + ")";
        case NodeKind::if_:
            return "if(" + kids("; ") + ")";
        case NodeKind::call:
            return "call" + std::to_string(static_cast<int>(node.builtin)) + "(" + kids("; ") + ")";
        case NodeKind::recurse_default:
            return "..";
        case NodeKind::slice:
            return show(node.child(0)) + "[" + show(node.child(1)) + ":" + show(node.child(2)) +
                   "]" + (node.optional ? "?" : "");
        case NodeKind::variable:
            return "$" + node.name + "@" + std::to_string(node.hops);
        case NodeKind::bind:
            return "bind(" + kids(" | ") + ")";
        case NodeKind::reduce:
            return "reduce(" + kids("; ") + ")";
        case NodeKind::foreach:
            return "foreach(" + kids("; ") + ")";
        case NodeKind::func_def:
            return "def " + node.name + "(" + kids("; ") + ")";
        case NodeKind::call_function:
            return node.name + (node.global ? "" : "@" + std::to_string(node.hops)) + "(" +
                   kids("; ") + ")";
        case NodeKind::call_param:
            return node.name + "@" + std::to_string(node.hops);
        case NodeKind::label:
            return "label " + node.name + "(" + kids("") + ")";
        case NodeKind::break_:
            return "break " + node.name + "@" + std::to_string(node.hops);
        case NodeKind::format:
            return node.name;
        case NodeKind::interpolation:
            return node.name + "(" + kids(", ") + ")";
        case NodeKind::assign:
            return "(" + show(node.child(0)) + " " + node.name + " " + show(node.child(1)) + ")";
    }
    return "?";
}

std::string parsed(std::string_view source) {
    auto root = parse_filter(source);
    if (!root) return "error: " + root.error().message;
    return show(**root);
}

std::string parse_error(std::string_view source) {
    auto root = parse_filter(source);
    REQUIRE_FALSE(root.has_value());
    CHECK(root.error().kind == kpipe::ErrorKind::usage);
    return root.error().message;
}

bool refuses(std::string_view source, std::string_view feature) {
    const std::string message = parse_error(source);
    INFO(message);
    return message.find(feature) != std::string::npos &&
           message.find("is not supported by kpipe's filter language") !=
               std::string::npos;
}

}  // namespace

TEST_CASE("parser: paths", "[filter]") {
    CHECK(parsed(".") == ".");
    CHECK(parsed("") == ".");  // jq runs an empty program as the identity
    CHECK(parsed("  # only a comment\n") == ".");
    CHECK(parsed(".a.b") == ".[\"a\"][\"b\"]");
    CHECK(parsed(".\"x y\"") == ".[\"x y\"]");
    CHECK(parsed(".[\"x\"]") == ".[\"x\"]");
    CHECK(parsed(".[0]") == ".[0]");
    CHECK(parsed(".[-1]") == ".[neg(1)]");
    CHECK(parsed(".[]") == ".[]");
    CHECK(parsed(".a[]?.b") == ".[\"a\"][]?[\"b\"]");
    CHECK(parsed(".a?") == ".[\"a\"]?");
    CHECK(parsed(".a.b?") == ".[\"a\"][\"b\"]?");
    CHECK(parsed("(.a)?") == "try(.[\"a\"])");
    CHECK(parsed(".a??") == "try(.[\"a\"]?)");
    CHECK(parsed(".[.k]") == ".[.[\"k\"]]");
}

TEST_CASE("parser: precedence from | (lowest) to postfix (highest)", "[filter]") {
    CHECK(parsed(".a | .b, .c") == "(.[\"a\"] | (.[\"b\"], .[\"c\"]))");
    CHECK(parsed(".a, .b | .c") == "((.[\"a\"], .[\"b\"]) | .[\"c\"])");
    CHECK(parsed(".a | .b | .c") == "(.[\"a\"] | (.[\"b\"] | .[\"c\"]))");
    CHECK(parsed("1, 2 // 3") == "(1, (2 // 3))");
    CHECK(parsed("1 // 2 // 3") == "(1 // (2 // 3))");
    CHECK(parsed("1 // 2 or 3") == "(1 // (2 or 3))");
    CHECK(parsed("1 or 2 and 3") == "(1 or (2 and 3))");
    CHECK(parsed(".a and .b == .c") == "(.[\"a\"] and (.[\"b\"] == .[\"c\"]))");
    CHECK(parsed(".a == .b + .c") == "(.[\"a\"] == (.[\"b\"] + .[\"c\"]))");
    CHECK(parsed(".a + .b * .c") == "(.[\"a\"] + (.[\"b\"] * .[\"c\"]))");
    CHECK(parsed(".a - .b - .c") == "((.[\"a\"] - .[\"b\"]) - .[\"c\"])");
    CHECK(parsed(".a / .b / .c") == "((.[\"a\"] / .[\"b\"]) / .[\"c\"])");
    CHECK(parsed(".a * .b % .c") == "((.[\"a\"] * .[\"b\"]) % .[\"c\"])");
    CHECK(parsed("-1 + 2") == "(neg(1) + 2)");
    CHECK(parsed("-.a * .b") == "neg((.[\"a\"] * .[\"b\"]))");
    CHECK(parsed(".a * -.b * .c") == "(.[\"a\"] * neg((.[\"b\"] * .[\"c\"])))");
    CHECK(parsed(".a-1") == "(.[\"a\"] - 1)");
    CHECK(parsed("(1, 2) | 3") == "((1, 2) | 3)");
    CHECK(parsed(". | .a | .") == ".[\"a\"]");  // jq compiles `. | f` and `f | .` as f
    CHECK(parsed("1, 2, 3") == "(1, 2, 3)");
    CHECK(parsed(".a < 1 and .b >= \"x\" or .c != null") ==
          "(((.[\"a\"] < 1) and (.[\"b\"] >= \"x\")) or (.[\"c\"] != null))");
}

TEST_CASE("parser: operators on two number literals are folded as jq 1.6 folds them", "[filter]") {
    CHECK(parsed("1 + 2 * 3") == "7");
    CHECK(parsed("1 - 2 - 3") == "-4");
    CHECK(parsed("1 * 2 % 3") == "(2 % 3)");  // jq leaves % to run time
    CHECK(parsed("0 / 0") == "null");         // NaN
    CHECK(parsed("0 / 0 < 1") == "false");    // C's comparison, not jq's run-time order
    CHECK(parsed("1 == 1.0") == "true");
    CHECK(parsed("\"a\" + \"b\"") == "(\"a\" + \"b\")");
    CHECK(parse_error(".a, 1 / 0") == "filter:1:7: Division by zero?");
}

TEST_CASE("parser: where `?` may appear follows jq's grammar", "[filter]") {
    CHECK(parsed("{a: .b?}") == "{\"a\": .[\"b\"]?}");
    CHECK(parsed("1 + .a?") == "(1 + .[\"a\"]?)");
    CHECK(parse_error("(1)?.a") ==
          "filter:1:5: unexpected '.a' after '?' (jq applies this '?' to the whole expression; add "
          "parentheses)");
    CHECK(parse_error("{a: (1)?}").find("filter:1:8: expected ',' or '}'") == 0);
}

TEST_CASE("parser: construction and calls", "[filter]") {
    CHECK(
        parsed("{user_id, ts: .timestamp, \"k\": 1, (.name): .v, \"q\"}") ==
        "{\"user_id\": .[\"user_id\"], \"ts\": .[\"timestamp\"], \"k\": 1, .[\"name\"]: .[\"v\"], "
        "\"q\": .[\"q\"]}");
    CHECK(parsed("{if: 1, a: -1, b: .x | .y}") ==
          "{\"if\": 1, \"a\": neg(1), \"b\": (.[\"x\"] | .[\"y\"])}");
    CHECK(parsed("{a: .x,}") == "{\"a\": .[\"x\"]}");
    // Arrays and objects of constants are constants, as in jq.
    CHECK(parsed("{a: [1, \"x\"], b: {c: null}}") == R"({"a":[1,"x"],"b":{"c":null}})");
    CHECK(parse_error("{([1]): 2}") == "filter:1:2: Cannot use array ([1]) as object key");
    CHECK(parsed("[]") == "[]");
    CHECK(parsed("[.a, .b]") == "[(.[\"a\"], .[\"b\"])]");
    CHECK(parsed("true, false, null") == "(true, false, null)");
    CHECK(parsed("if .a then 1 elif .b then 2 else 3 end") == "if(.[\"a\"]; 1; .[\"b\"]; 2; 3)");
    const auto select = parse_filter("select(.a == 1)");
    REQUIRE(select.has_value());
    CHECK((*select)->kind == NodeKind::call);
    CHECK((*select)->builtin == Builtin::select);
    const auto test2 = parse_filter("test(\"a\"; \"i\")");
    REQUIRE(test2.has_value());
    CHECK((*test2)->children.size() == 2);
}

TEST_CASE("parser: syntax errors point at the column", "[filter]") {
    CHECK(parse_error("{user_id, ts: .timestamp") ==
          "filter:1:25: expected ',' or '}' in object construction, found end of filter");
    CHECK(parse_error("(.a") == "filter:1:4: expected ')' to close '(', found end of filter");
    CHECK(parse_error("[1, 2") == "filter:1:6: expected ']' to close '[', found end of filter");
    CHECK(parse_error(".a |") == "filter:1:5: unexpected end of filter, expected a term");
    CHECK(parse_error(".a )") == "filter:1:4: unmatched ')'");
    CHECK(parse_error("if . then 1 else") == "filter:1:17: unexpected end of filter, expected a term");
    CHECK(parse_error("1 < 2 < 3") ==
          "filter:1:7: comparison operators do not chain (non-associative in jq); add "
          "parentheses before '<'");
    CHECK(parse_error("{a: 1 + 2}").find("filter:1:7: expected ',' or '}'") == 0);
    CHECK(parse_error("{(1): 2}") == "filter:1:2: Cannot use number (1) as object key");
    CHECK(parse_error("has") == "filter:1:1: has/0 is not defined ('has' takes 1 argument)");
    CHECK(parse_error("test") ==
          "filter:1:1: test/0 is not defined ('test' takes 1 or 2 arguments)");
    CHECK(parse_error(". as [$a] | $b") == "filter:1:13: $b is not defined");
    CHECK(parse_error(".a |\n  .b |\n    .c ]") == "filter:3:8: unmatched ']'");
    CHECK(parse_error("{if}") == "filter:1:4: expected ':' after the keyword key 'if'");
}

TEST_CASE("parser: names resolve to frames, prelude functions and natives", "[filter]") {
    CHECK(parsed(". as $x | $x") == "bind(. | $x@0)");
    CHECK(parsed(". as [$a, $b] | $a") == "bind(. | $a@1)");
    CHECK(parsed("def f(g; $v): g, $v; f(1; 2)") ==
          "def f((g@2, $v@0); f@0(1; 2))");
    CHECK(parsed("map(.)").rfind("call", 0) == 0);             // native
    CHECK(parsed("to_entries") == "to_entries()");             // prelude
    CHECK(parsed("def map(f): 1; map(.)") == "def map(1; map@0(.))");  // local shadows
    CHECK(parsed("label $f | break $f") == "label f(break f@0)");
    CHECK(parsed(".a[1:]") == ".[\"a\"][1:null]");
    CHECK(parsed(".a |= 1 | .b") == "((.[\"a\"] |= 1) | .[\"b\"])");
    CHECK(parsed("\"x\\(.a)y\"") == "@text(\"x\", .[\"a\"], \"y\")");
    CHECK(refuses("import \"m\" as m; .", "'import'"));
    CHECK(refuses("include \"m\"; .", "'include'"));
    CHECK(refuses("m::f", "modules (m::f"));
}

TEST_CASE("parser: nesting is bounded instead of overflowing the stack", "[filter]") {
    CHECK(parsed(std::string(200, '(') + "1" + std::string(200, ')')) == "1");
    CHECK(parse_error(std::string(100000, '(')).find("filter is nested too deeply") !=
          std::string::npos);
    CHECK(parse_error(std::string(100000, '[')).find("filter is nested too deeply") !=
          std::string::npos);
    std::string long_path;
    for (int i = 0; i < 100000; ++i) long_path += ".a";
    CHECK(parse_error(long_path).find("filter is nested too deeply") != std::string::npos);
    // Chains nested inside chains: each level is within bounds, the whole tree is not.
    std::string chains;
    for (int level = 0; level < 4; ++level) {
        chains += std::string(100, '(');
        for (int i = 0; i < 150; ++i) chains += ".a";
        chains += "[";
    }
    chains += "0";
    for (int level = 0; level < 4; ++level) chains += "]" + std::string(100, ')');
    CHECK(parse_error(chains).find("filter is nested too deeply") != std::string::npos);
    std::string long_list = "1";
    for (int i = 0; i < 10000; ++i) long_list += ",1";
    CHECK(parse_filter(long_list).has_value());  // a list is one node, not a deep tree
}
