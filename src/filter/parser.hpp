#pragma once
// Recursive-descent parser with jq's grammar and precedence, lowest first:
//   def, `Term as $x | ...`, label     |  (right)   ,  (left)   //  (right)
//   = |= += -= *= /= %= //=  (non-associative)   or   and   == != < <= > >= (non-associative)
//   + -  (left)   * / %  (left)   unary -   postfix (.a  [e]  [e:f]  []  ?  as)
// Object values follow jq's restricted form (a term, `-term`, or terms joined by |), so
// `{a: 1 + 2}` is refused like jq refuses it. Names are resolved while parsing (see ast.hpp):
// local definitions first, then the prelude (jq-defined builtins, prelude.cpp), then the native
// builtins; an unknown name is a compile error.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "filter/ast.hpp"

namespace kpipe::filter {

// Variables defined before the filter runs ($name from --arg, --argjson, ..., $ENV, $ARGS).
using GlobalVariables = std::vector<std::pair<std::string, Value>>;

Expected<NodePtr> parse_filter(std::string_view source, const GlobalVariables& globals = {});

}  // namespace kpipe::filter
