#pragma once
// The general path: evaluates the AST on a Value tree. Every expression is a generator; eval()
// passes each value it yields to a callback instead of materialising lists. Runtime errors are
// thrown as FilterError. As in jq 1.7, `try` (and `?`) catches the errors of its body only, not
// those raised downstream of it in the pipeline.
//
// Variables, function parameters and local functions live in frames on the C++ stack, linked to
// their parent: a continuation never outlives the frames it sees, so an environment is a plain
// pointer and binding a variable allocates nothing.

#include <cstdint>
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
    // A temporary callable lives until the end of the full expression, which is as long as
    // the call it is passed to: callbacks are never stored.
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Callback>)
        Callback(F&& f)  // NOLINT: implicit on purpose, lambdas convert at call sites
        : object_(const_cast<void*>(static_cast<const void*>(&f))),
          call_([](void* object, Args... args) {
              (*static_cast<std::remove_reference_t<F>*>(object))(args...);
          }) {}

    void operator()(Args... args) const { call_(object_, args...); }

  private:
    void* object_;
    void (*call_)(void*, Args...);
};

using Emit = Callback<const Value&>;
// Path mode yields each value with whether it is still the value at the path in path_ (jq's
// "path intact"); a value computed from scratch is not, unless jq would see it as identical.
using PathEmit = Callback<const Value&, bool>;

// One binding of the environment: a variable's value, a function (its func_def node), a filter
// parameter (the argument and the environment it is evaluated in), or a label.
struct Frame {
    const Frame* parent = nullptr;
    Value value;
    const Node* node = nullptr;
    const Frame* env = nullptr;
    const void* label = nullptr;
};
using Env = const Frame*;

// Limits that keep one record's filter from taking the process down (see filter.hpp).
struct EvaluationLimits {
    std::uint64_t max_steps = 50'000'000;        // evaluation steps per record
    std::size_t max_output_bytes = 512u << 20;   // the record's outputs together
};

class Evaluator {
  public:
    // Appends each output of `root` on `input` to `outputs`. Throws FilterError.
    void run(const Node& root, const Value& input, FilterOutputs& outputs);

  private:
    void eval(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_index(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_slice(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_iterate(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_object(const Node& node, std::size_t entry, const Value& input, Env env,
                     std::vector<Object::Member>& members, const Emit& emit);
    void eval_if(const Node& node, std::size_t branch, const Value& input, Env env,
                 const Emit& emit);
    void eval_try(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_bind(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_reduce(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_foreach(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_function(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_label(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_interpolation(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_assign(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_call(const Node& node, const Value& input, Env env, const Emit& emit);
    void eval_recurse(const Value& input, const Emit& emit);

    // Yields the values of argument `i` (a literal without evaluating).
    template <class F>
    void for_each_arg(const Node& node, std::size_t i, const Value& input, Env env, F&& body);
    // Binds every argument of a native call, the last argument in the outer loop.
    template <class F>
    void with_args(const Node& node, const Value& input, Env env, F&& body);

    // Calls `then` once per way `pattern` destructures `value` into `frames`.
    void destructure(const Pattern& pattern, const Value& value, const Value& input, Env env,
                     Frame* frames, const Callback<>& then);
    // Calls `then(body_env)` once per binding of a function's `$` parameters.
    template <class F>
    void bind_params(const Node& call, const Value& input, Env caller, Env base, F&& then);

    // Path mode: yields each value f would yield, with its path in path_.
    void eval_paths(const Node& node, const Value& current, bool intact, Env env,
                    const PathEmit& emit);
    void eval_call_paths(const Node& node, const Value& current, bool intact, Env env,
                         const PathEmit& emit);
    // Every path `node` yields on `input`, for path(f), del(f) and assignments.
    std::vector<Array> collect_paths(const Node& node, const Value& input, Env env);
    void for_each_path(const Node& node, const Value& input, Env env,
                       const Callback<const Array&>& each);

    Value regex_test(const Value& input, const Value& pattern, const Value& flags);
    void step();

    RegexCache regex_;
    Array path_;
    int depth_ = 0;
    std::uint64_t steps_ = 0;
    EvaluationLimits limits_;
    FilterOutputs* outputs_ = nullptr;
};

}  // namespace kpipe::filter
