#pragma once
// The general path: evaluates the AST on a Value tree. Every expression is a generator; eval()
// passes each value it yields to a callback instead of materialising lists. Runtime errors are
// thrown as FilterError; a `?` term catches errors raised while it is active, including those
// raised downstream of it in the pipeline, which is what jq 1.6 does.

#include <type_traits>
#include <vector>

#include "filter/ast.hpp"
#include "filter/builtins.hpp"
#include "filter/filter.hpp"
#include "filter/regex.hpp"
#include "filter/value.hpp"

namespace kpipe::filter {

// A non-owning reference to a callable: the "rest of the pipeline" an expression yields to.
template <class... Args>
class Callback {
  public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Callback>)
        Callback(F& f)  // NOLINT: implicit on purpose, lambdas convert at call sites
        : object_(&f),
          call_([](void* object, Args... args) { (*static_cast<F*>(object))(args...); }) {}

    void operator()(Args... args) const { call_(object_, args...); }

  private:
    void* object_;
    void (*call_)(void*, Args...);
};

using Emit = Callback<const Value&>;
// Path mode yields each value with whether it is still the value at the path in path_ (jq's
// "path intact"); a value computed from scratch is not, unless jq would see it as identical.
using PathEmit = Callback<const Value&, bool>;

class Evaluator {
  public:
    // Appends each output of `root` on `input` to `outputs`. Throws FilterError.
    void run(const Node& root, const Value& input, FilterOutputs& outputs);

  private:
    void eval(const Node& node, const Value& input, const Emit& emit);
    void eval_index(const Node& node, const Value& input, const Emit& emit);
    void eval_iterate(const Node& node, const Value& input, const Emit& emit);
    void eval_object(const Node& node, std::size_t entry, const Value& input,
                     std::vector<Object::Member>& members, const Emit& emit);
    void eval_if(const Node& node, std::size_t branch, const Value& input, const Emit& emit);
    void eval_call(const Node& node, const Value& input, const Emit& emit);
    Value regex_test(const Value& input, const Value& pattern, const Value& flags);

    // Path mode, for del(f): yields each value f would yield, with its path in path_.
    void eval_paths(const Node& node, const Value& current, bool intact, const PathEmit& emit);

    RegexCache regex_;
    Array path_;
    int depth_ = 0;
};

}  // namespace kpipe::filter
