#pragma once
// The builtins written in jq (as jq's own builtin.jq writes them), compiled once at first use.
// Their definitions are global: a call finds them by name and arity, after the filter's own
// definitions and before the native builtins.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "filter/ast.hpp"

namespace kpipe::filter {

class Prelude {
  public:
    const Node* find(std::string_view name, int arity) const;
    // Makes `definition` findable (before its body is parsed, so that it may recurse).
    void declare(const std::string& name, int arity, const Node* definition);
    void add(NodePtr definition);
    // name/arity of every definition, for builtins/0.
    std::vector<std::string> signatures() const;

  private:
    std::vector<NodePtr> definitions_;
    std::map<std::pair<std::string, int>, const Node*, std::less<>> index_;
};

const Prelude& prelude();

// Parses `source` (definitions only) into `prelude`; defined in parser.cpp.
Status parse_prelude(std::string_view source, Prelude& prelude);

}  // namespace kpipe::filter
