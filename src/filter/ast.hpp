#pragma once
// The parsed filter: a tree of expressions, each a generator of zero or more values.

#include <memory>
#include <string_view>
#include <vector>

#include "filter/value.hpp"

namespace kpipe::filter {

enum class NodeKind {
    identity,     // .
    literal,      // number, string, true, false, null (Node::literal)
    index,        // children[0][children[1]]: .a, ."a", .[e], t.a, t[e]; optional = `?` suffix
    iterate,      // children[0][], optional = `?` suffix
    try_,         // children[0]? (any other term followed by `?`)
    pipe,         // children[0] | children[1]
    comma,        // children[0], children[1], ...
    array,        // [children[0]], or [] with no children
    object,       // {k0: v0, k1: v1, ...}: children alternate key, value
    negate,       // -children[0]
    binary,       // children[0] op children[1] (arithmetic and comparisons)
    and_,         // children[0] and children[1]
    or_,          // children[0] or children[1]
    alternative,  // children[0] // children[1]
    if_,          // if c0 then c1 (elif c2 then c3)* else cN end
    call,         // builtin(children...)
};

enum class BinaryOp {
    add,
    subtract,
    multiply,
    divide,
    modulo,
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
};

enum class Builtin {
    empty,
    error,  // error/0 and error/1
    not_,
    select,
    has,
    length,
    tostring,
    tonumber,
    ascii_downcase,
    ascii_upcase,
    test,  // test/1 and test/2
    startswith,
    endswith,
    ltrimstr,
    rtrimstr,
    del,
    todate,
    fromdate,
    keys,
    map,
    type,
};

struct Node {
    NodeKind kind = NodeKind::identity;
    int line = 1;
    int column = 1;
    std::vector<std::unique_ptr<Node>> children;
    Value literal;                     // literal
    BinaryOp op = BinaryOp::add;       // binary
    Builtin builtin = Builtin::empty;  // call
    bool optional = false;             // index, iterate

    const Node& child(std::size_t i) const { return *children[i]; }
    bool is_literal() const { return kind == NodeKind::literal; }
};

using NodePtr = std::unique_ptr<Node>;

std::string_view binary_op_spelling(BinaryOp op);

}  // namespace kpipe::filter
