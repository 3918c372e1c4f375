#pragma once
// The names and arities of the native builtins, for the parser's name resolution.

#include <string>
#include <string_view>
#include <vector>

#include "filter/ast.hpp"

namespace kpipe::filter {

struct NativeSpec {
    std::string_view name;
    int arity;
    Builtin builtin;
};

// The native builtin `name`/`arity`, or nullptr.
const NativeSpec* find_native(std::string_view name, int arity);

// "1 or 2 arguments" for a name that exists with other arities; empty when it does not exist.
std::string native_arities(std::string_view name);

// name/arity of every native builtin, for builtins/0.
std::vector<std::string> native_signatures();

}  // namespace kpipe::filter
