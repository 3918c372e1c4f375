#pragma once
// Recursive-descent parser with jq 1.6's grammar and precedence, lowest first:
//   |  (right)   ,  (left)   //  (right)   or   and   == != < <= > >= (non-associative)
//   + -  (left)   * / %  (left)   unary -   postfix (.a  [e]  []  ?)
// Object values follow jq's restricted form (a term, `-term`, or terms joined by |), so
// `{a: 1 + 2}` is refused like jq refuses it. jq features outside kpipe's subset are refused by
// name; see refusal_message().

#include <string_view>

#include "common/expected.hpp"
#include "filter/ast.hpp"

namespace kpipe::filter {

Expected<NodePtr> parse_filter(std::string_view source);

}  // namespace kpipe::filter
