#pragma once
// The parsed filter: a tree of expressions, each a generator of zero or more values. Names are
// resolved while parsing: a variable, a function parameter or a local function is found by how
// many environment frames up it lives (`hops`), a prelude function by its definition node, a
// native builtin by its enum.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filter/value.hpp"

namespace kpipe::filter {

enum class NodeKind {
    identity,          // .
    recurse_default,   // ..
    literal,           // number, string, true, false, null, $__loc__ (Node::literal)
    index,             // children[0][children[1]]: .a, ."a", .[e], t.a, t[e]; optional = `?`
    slice,             // children[0][children[1]:children[2]] (a missing bound is literal null)
    iterate,           // children[0][], optional = `?` suffix
    try_,              // try children[0] (catch children[1])?, and any other term followed by `?`
    pipe,              // children[0] | children[1]
    comma,             // children[0], children[1], ...
    array,             // [children[0]], or [] with no children
    object,            // {k0: v0, k1: v1, ...}: children alternate key, value
    negate,            // -children[0]
    binary,            // children[0] op children[1] (arithmetic and comparisons)
    and_,              // children[0] and children[1]
    or_,               // children[0] or children[1]
    alternative,       // children[0] // children[1]
    if_,               // if c0 then c1 (elif c2 then c3)* else cN end
    call,              // native builtin(children...)
    variable,          // $name: the variable `hops` frames up
    bind,              // children[0] as patterns | children[1]
    reduce,            // reduce children[0] as pattern (children[1]; children[2])
    foreach,           // foreach children[0] as pattern (children[1]; children[2] (; children[3])?)
    func_def,          // def name(params): children[0]; children[1]
    call_function,     // a jq-defined function: `function` (local: `hops` up, or a prelude one)
    call_param,        // a filter parameter: the closure `hops` frames up
    label,             // label $name | children[0]
    break_,            // break $name: the label `hops` frames up
    format,            // @name applied to the input (Node::name)
    interpolation,     // "a\(x)b": children alternate literal string parts and expressions
    assign,            // children[0] op= children[1] (Node::name is the operator)
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

// Native builtins (native_table.cpp lists their names and arities). Those marked (f) take filter
// arguments and evaluate them themselves; the rest bind each argument's values in turn, the last
// argument in the outer loop, as jq's C functions do.
enum class Builtin {
    empty,
    error,  // error/0 and error/1
    not_,
    select,  // (f)
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
    del,  // (f)
    todate,
    fromdate,
    keys,
    map,  // (f)
    type,
    path,  // (f)
    getpath,
    setpath,
    delpaths,
    range,    // range/2 and range/3, the first argument in the outer loop
    limit,    // (f) limit($n; f)
    first,    // (f) first/1
    last,     // (f) last/1
    isempty,  // (f)
    until,    // (f)
    add,
    keys_unsorted,
    contains,
    sort,
    sort_by_impl,
    group_by_impl,
    unique_by_impl,
    min_by_impl,
    max_by_impl,
    min,
    max,
    unique,
    tojson,
    fromjson,
    explode,
    implode,
    split,  // split/1
    indices,
    utf8bytelength,
    trim,
    ltrim,
    rtrim,
    infinite,
    nan,
    isinfinite,
    isnan,
    isnormal,
    now,
    mktime,
    gmtime,
    localtime,
    strftime,
    strflocaltime,
    strptime,
    env,
    builtins,
    input_line_number,
    input_filename,
    math,  // the libm functions, by Node::name
    match_impl,
    sub,  // (f) sub/2, sub/3, gsub/2, gsub/3 (Node::name)
    tostream,
    input,
    debug,
    stderr_,
    halt,
    halt_error,
    format,  // format/1
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

// A destructuring pattern: `$x`, `[p0, p1, ...]` or `{key: p, $name, $name: p, "k": p, (e): p}`.
struct Pattern {
    enum class Kind { variable, array, object };
    Kind kind = Kind::variable;
    int slot = 0;  // variable: its index among the binding's variables
    std::vector<Pattern> elements;  // array
    struct Entry {
        NodePtr key;         // evaluated on the input of `as` (a literal for names and strings)
        int slot = -1;       // `$name` and `$name: p`: the variable bound to the whole value
        std::vector<Pattern> value;  // zero or one pattern for the value
    };
    std::vector<Entry> entries;  // object
};

struct Node {
    NodeKind kind = NodeKind::identity;
    int line = 1;
    int column = 1;
    std::vector<NodePtr> children;
    Value literal;                     // literal
    BinaryOp op = BinaryOp::add;       // binary
    Builtin builtin = Builtin::empty;  // call
    bool optional = false;             // index, slice, iterate
    std::string name;                  // variable, call_*, func_def, format, assign, math*
    int hops = 0;                      // variable, call_function (local), call_param, break_
    const Node* function = nullptr;    // call_function: the func_def node
    bool global = false;               // call_function: a prelude function (no frame to find)
    // func_def: one entry per parameter, true for `$name` parameters.
    std::vector<bool> value_params;
    // bind (one pattern per ?// alternative), reduce and foreach (one pattern): the variables
    // are bound in `variables` frames, in this order.
    std::vector<Pattern> patterns;
    int variables = 0;

    const Node& child(std::size_t i) const { return *children[i]; }
    bool is_literal() const { return kind == NodeKind::literal; }
};

std::string_view binary_op_spelling(BinaryOp op);

}  // namespace kpipe::filter
