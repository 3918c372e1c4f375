#include "filter/evaluator.hpp"

#include <pthread.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "filter/json_writer.hpp"
#include "filter/native_table.hpp"
#include "filter/prelude.hpp"

extern char** environ;

namespace kpipe::filter {

namespace {

// Evaluation recursion is bounded by the parser's nesting limit and by this, for recursive
// functions: past it the record fails instead of the process running out of stack.
constexpr int max_eval_depth = 2000;

// The lowest stack address evaluation may reach on this thread (its stack less a margin): a
// sanitizer or debug build spends far more stack per level than a release build.
thread_local const char* stack_floor = nullptr;

void find_stack_floor() {
    if (stack_floor != nullptr) return;
    pthread_attr_t attr;
    void* low = nullptr;
    std::size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &low, &size);
        pthread_attr_destroy(&attr);
    }
    constexpr std::size_t margin = 256u << 10;
    if (low == nullptr || size <= 2 * margin) {
        const char probe = 0;
        // Unknown: allow 1 MiB from here.
        stack_floor = reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(&probe) -
                                                    (std::uintptr_t{1} << 20));
        return;
    }
    stack_floor = static_cast<const char*>(low) + margin;
}

class DepthGuard {
  public:
    explicit DepthGuard(int& depth) : depth_(depth) {
        const char probe = 0;
        if (++depth_ > max_eval_depth || &probe < stack_floor) {
            --depth_;
            raise("filter evaluation nested too deeply (more than " +
                  std::to_string(max_eval_depth) + " levels or the stack; unbounded recursion?)");
        }
    }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

  private:
    int& depth_;
};

// Restores a stack's size when a scope ends, also when an error unwinds through it (a `?` further
// up may catch the error and continue with the stack).
template <class Stack>
class StackMark {
  public:
    explicit StackMark(Stack& stack) : stack_(stack), size_(stack.size()) {}
    ~StackMark() { stack_.resize(size_); }
    StackMark(const StackMark&) = delete;
    StackMark& operator=(const StackMark&) = delete;

  private:
    Stack& stack_;
    std::size_t size_;
};

// break $label: unwinds to the label it names (compared by the label frame's identity).
struct Break {
    const void* label;
};

// An error raised downstream of a `try`, on its way through the try's body: only the try that
// wrapped it unwraps it, so no try in between catches it.
struct Downstream {
    FilterError error;
    const void* owner;
};

// halt and halt_error end the record; no try catches them.
struct Halt {
    bool error;
    Value payload;
};

const Frame* up(Env env, int hops) {
    while (hops-- > 0) env = env->parent;
    return env;
}

// A small number of frames on the stack, more on the heap.
class Frames {
  public:
    explicit Frames(std::size_t n) : size_(n) {
        if (n > inline_.size()) heap_.resize(n);
    }
    Frame* data() { return size_ > inline_.size() ? heap_.data() : inline_.data(); }
    // Links frame i to frame i-1, and frame 0 to `parent`; returns the innermost.
    Env link(Env parent) {
        Frame* frames = data();
        for (std::size_t i = 0; i < size_; ++i) frames[i].parent = i == 0 ? parent : &frames[i - 1];
        return size_ == 0 ? parent : &frames[size_ - 1];
    }

  private:
    std::size_t size_;
    std::array<Frame, 4> inline_;
    std::vector<Frame> heap_;
};

Value environment_object() {
    Object env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::size_t eq = text.find('=');
        if (eq == std::string_view::npos) continue;
        env.set(std::string(text.substr(0, eq)), Value::string(std::string(text.substr(eq + 1))));
    }
    return Value::object(std::move(env));
}

Value update_with(const std::string& op, const Value& old, const Value& rhs) {
    if (op == "+=") return apply_binary(BinaryOp::add, old, rhs);
    if (op == "-=") return apply_binary(BinaryOp::subtract, old, rhs);
    if (op == "*=") return apply_binary(BinaryOp::multiply, old, rhs);
    if (op == "/=") return apply_binary(BinaryOp::divide, old, rhs);
    if (op == "%=") return apply_binary(BinaryOp::modulo, old, rhs);
    return old.truthy() ? old : rhs;  // //=
}

}  // namespace

void Evaluator::step() {
    if (++steps_ > limits_.max_steps) {
        raise("filter evaluation took more than " + std::to_string(limits_.max_steps) +
              " steps on one record (kpipe's per-record budget)");
    }
}

void Evaluator::run(const Node& root, const Value& input, FilterOutputs& outputs) {
    find_stack_floor();
    depth_ = 0;
    steps_ = 0;
    path_.clear();
    outputs_ = &outputs;
    auto to_output = [&](const Value& v) {
        write_json(v, outputs.bytes_);
        if (outputs.bytes_.size() > limits_.max_output_bytes) {
            raise("the filter's outputs for one record exceed " +
                  std::to_string(limits_.max_output_bytes >> 20) + " MiB");
        }
        outputs.end_output();
    };
    try {
        eval(root, input, nullptr, to_output);
    } catch (const Downstream& downstream) {
        throw downstream.error;
    } catch (const Break&) {
        raise("break without a label");
    } catch (const Halt& halt) {
        if (!halt.error) return;
        outputs.clear();
        throw FilterError{halt.payload};
    }
}

template <class F>
void Evaluator::for_each_arg(const Node& node, std::size_t i, const Value& input, Env env,
                             F&& body) {
    const Node& arg = node.child(i);
    if (arg.is_literal()) {
        body(arg.literal);
    } else {
        auto each = [&](const Value& v) { body(v); };
        eval(arg, input, env, each);
    }
}

template <class F>
void Evaluator::with_args(const Node& node, const Value& input, Env env, F&& body) {
    const std::size_t n = node.children.size();
    std::array<Value, 3> values;
    auto bind = [&](auto&& self, std::size_t remaining) -> void {
        if (remaining == 0) {
            body(values);
            return;
        }
        const std::size_t i = remaining - 1;
        for_each_arg(node, i, input, env, [&](const Value& v) {
            values[i] = v;
            self(self, i);
        });
    };
    bind(bind, n);
}

void Evaluator::eval(const Node& node, const Value& input, Env env, const Emit& emit) {
    DepthGuard guard(depth_);
    step();
    switch (node.kind) {
        case NodeKind::identity:
            emit(input);
            return;
        case NodeKind::recurse_default:
            eval_recurse(input, emit);
            return;
        case NodeKind::literal:
            emit(node.literal);
            return;
        case NodeKind::index:
            eval_index(node, input, env, emit);
            return;
        case NodeKind::slice:
            eval_slice(node, input, env, emit);
            return;
        case NodeKind::iterate:
            eval_iterate(node, input, env, emit);
            return;
        case NodeKind::try_:
            eval_try(node, input, env, emit);
            return;
        case NodeKind::pipe: {
            auto rhs = [&](const Value& v) { eval(node.child(1), v, env, emit); };
            eval(node.child(0), input, env, rhs);
            return;
        }
        case NodeKind::comma:
            for (const auto& item : node.children) eval(*item, input, env, emit);
            return;
        case NodeKind::array: {
            Array items;
            if (!node.children.empty()) {
                auto collect = [&](const Value& v) { items.push_back(v); };
                eval(node.child(0), input, env, collect);
            }
            emit(Value::array(std::move(items)));
            return;
        }
        case NodeKind::object: {
            std::vector<Object::Member> members;
            members.reserve(node.children.size() / 2);
            eval_object(node, 0, input, env, members, emit);
            return;
        }
        case NodeKind::negate: {
            auto negated = [&](const Value& v) { emit(negate(v)); };
            eval(node.child(0), input, env, negated);
            return;
        }
        case NodeKind::binary: {
            // jq evaluates the right operand in the outer loop: [(1,2) + (10,20)] is
            // [11,12,21,22].
            auto with_rhs = [&](const Value& rhs) {
                auto with_lhs = [&](const Value& lhs) { emit(apply_binary(node.op, lhs, rhs)); };
                eval(node.child(0), input, env, with_lhs);
            };
            eval(node.child(1), input, env, with_rhs);
            return;
        }
        case NodeKind::and_:
        case NodeKind::or_: {
            const bool is_and = node.kind == NodeKind::and_;
            auto with_lhs = [&](const Value& lhs) {
                if (lhs.truthy() != is_and) {
                    emit(Value::boolean(!is_and));
                    return;
                }
                auto with_rhs = [&](const Value& rhs) { emit(Value::boolean(rhs.truthy())); };
                eval(node.child(1), input, env, with_rhs);
            };
            eval(node.child(0), input, env, with_lhs);
            return;
        }
        case NodeKind::alternative: {
            // a // b: the truthy outputs of a, or else those of b.
            bool found = false;
            auto truthy_only = [&](const Value& v) {
                if (!v.truthy()) return;
                found = true;
                emit(v);
            };
            eval(node.child(0), input, env, truthy_only);
            if (!found) eval(node.child(1), input, env, emit);
            return;
        }
        case NodeKind::if_:
            eval_if(node, 0, input, env, emit);
            return;
        case NodeKind::call:
            eval_call(node, input, env, emit);
            return;
        case NodeKind::variable:
            emit(up(env, node.hops)->value);
            return;
        case NodeKind::bind:
            eval_bind(node, input, env, emit);
            return;
        case NodeKind::reduce:
            eval_reduce(node, input, env, emit);
            return;
        case NodeKind::foreach:
            eval_foreach(node, input, env, emit);
            return;
        case NodeKind::func_def: {
            Frame function;
            function.parent = env;
            function.node = &node;
            eval(node.child(1), input, &function, emit);
            return;
        }
        case NodeKind::call_function:
            eval_function(node, input, env, emit);
            return;
        case NodeKind::call_param: {
            const Frame* closure = up(env, node.hops);
            eval(*closure->node, input, closure->env, emit);
            return;
        }
        case NodeKind::label:
            eval_label(node, input, env, emit);
            return;
        case NodeKind::break_:
            throw Break{up(env, node.hops)->label};
        case NodeKind::format:
            emit(apply_format(node.name, input));
            return;
        case NodeKind::interpolation:
            eval_interpolation(node, input, env, emit);
            return;
        case NodeKind::assign:
            eval_assign(node, input, env, emit);
            return;
    }
}

void Evaluator::eval_recurse(const Value& input, const Emit& emit) {
    DepthGuard guard(depth_);
    step();
    emit(input);
    if (input.is_array()) {
        for (const Value& item : input.as_array()) eval_recurse(item, emit);
    } else if (input.is_object()) {
        for (const auto& member : input.as_object()) eval_recurse(member.second, emit);
    }
}

void Evaluator::eval_index(const Node& node, const Value& input, Env env, const Emit& emit) {
    const Node& target = node.child(0);
    const Node& key = node.child(1);
    // The key is the outer loop, as in jq: [.[0,1][0,1]] on [[1,2],[3,4]] is [1,3,2,4].
    auto with_key = [&](const Value& k) {
        auto with_target = [&](const Value& t) {
            Value result;
            if (node.optional) {
                try {
                    result = index_value(t, k);
                } catch (const FilterError&) {
                    return;
                }
            } else {
                result = index_value(t, k);
            }
            emit(result);
        };
        if (target.kind == NodeKind::identity) {
            with_target(input);
        } else {
            eval(target, input, env, with_target);
        }
    };
    if (key.is_literal()) {
        with_key(key.literal);
    } else {
        eval(key, input, env, with_key);
    }
}

void Evaluator::eval_slice(const Node& node, const Value& input, Env env, const Emit& emit) {
    // .[from:to] is .[{"start": from, "end": to}]; `to` is the outer loop, then `from`.
    for_each_arg(node, 2, input, env, [&](const Value& to) {
        for_each_arg(node, 1, input, env, [&](const Value& from) {
            Object bounds;
            bounds.set("start", from);
            bounds.set("end", to);
            const Value key = Value::object(std::move(bounds));
            auto with_target = [&](const Value& t) {
                if (node.optional) {
                    Value result;
                    try {
                        result = index_value(t, key);
                    } catch (const FilterError&) {
                        return;
                    }
                    emit(result);
                } else {
                    emit(index_value(t, key));
                }
            };
            eval(node.child(0), input, env, with_target);
        });
    });
}

void Evaluator::eval_iterate(const Node& node, const Value& input, Env env, const Emit& emit) {
    auto each = [&](const Value& container) {
        if (container.is_array()) {
            for (const Value& item : container.as_array()) emit(item);
        } else if (container.is_object()) {
            for (const auto& member : container.as_object()) emit(member.second);
        } else if (!node.optional) {
            raise_cannot_iterate(container);
        }
    };
    eval(node.child(0), input, env, each);
}

void Evaluator::eval_object(const Node& node, std::size_t entry, const Value& input, Env env,
                            std::vector<Object::Member>& members, const Emit& emit) {
    if (entry * 2 == node.children.size()) {
        Object object;
        object.reserve(members.size());
        for (const auto& [key, value] : members) object.set(key, value);
        emit(Value::object(std::move(object)));
        return;
    }
    const Node& key_node = node.child(entry * 2);
    const Node& value_node = node.child(entry * 2 + 1);
    // Keys are the outer loop, then values, then later entries: {a:(1,2), b:(3,4)} yields
    // a=1,b=3; a=1,b=4; a=2,b=3; a=2,b=4.
    auto with_key = [&](const Value& key) {
        if (!key.is_string()) raise("Cannot use " + kind_and_value(key) + " as object key");
        auto with_value = [&](const Value& value) {
            StackMark mark(members);
            members.emplace_back(key.as_string(), value);
            eval_object(node, entry + 1, input, env, members, emit);
        };
        eval(value_node, input, env, with_value);
    };
    if (key_node.is_literal()) {
        with_key(key_node.literal);
    } else {
        eval(key_node, input, env, with_key);
    }
}

void Evaluator::eval_if(const Node& node, std::size_t branch, const Value& input, Env env,
                        const Emit& emit) {
    if (branch + 1 == node.children.size()) {
        eval(node.child(branch), input, env, emit);
        return;
    }
    auto with_condition = [&](const Value& condition) {
        if (condition.truthy()) {
            eval(node.child(branch + 1), input, env, emit);
        } else {
            eval_if(node, branch + 2, input, env, emit);
        }
    };
    eval(node.child(branch), input, env, with_condition);
}

void Evaluator::eval_try(const Node& node, const Value& input, Env env, const Emit& emit) {
    const char owner = 0;
    auto pass = [&](const Value& v) {
        try {
            emit(v);
        } catch (FilterError& error) {
            throw Downstream{std::move(error), &owner};
        }
    };
    Value caught;
    try {
        eval(node.child(0), input, env, pass);
        return;
    } catch (Downstream& downstream) {
        if (downstream.owner != &owner) throw;
        throw std::move(downstream.error);
    } catch (FilterError& error) {
        caught = std::move(error.payload);
    }
    if (node.children.size() > 1) eval(node.child(1), caught, env, emit);
}

void Evaluator::destructure(const Pattern& pattern, const Value& value, const Value& input,
                            Env env, Frame* frames, const Callback<>& then) {
    switch (pattern.kind) {
        case Pattern::Kind::variable:
            frames[pattern.slot].value = value;
            then();
            return;
        case Pattern::Kind::array: {
            if (!value.is_array() && !value.is_null()) {
                raise("Cannot index " + std::string(kind_name(value.kind())) + " with number");
            }
            auto element = [&](auto&& self, std::size_t i) -> void {
                if (i == pattern.elements.size()) {
                    then();
                    return;
                }
                const Value item = index_value(value, Value::number(static_cast<double>(i)));
                auto rest = [&] { self(self, i + 1); };
                destructure(pattern.elements[i], item, input, env, frames, rest);
            };
            element(element, 0);
            return;
        }
        case Pattern::Kind::object: {
            auto entry = [&](auto&& self, std::size_t i) -> void {
                if (i == pattern.entries.size()) {
                    then();
                    return;
                }
                const Pattern::Entry& e = pattern.entries[i];
                auto with_key = [&](const Value& key) {
                    if (!key.is_string()) {
                        raise("Cannot index " + std::string(kind_name(value.kind())) + " with " +
                              std::string(kind_name(key.kind())));
                    }
                    const Value member = index_value(value, key);
                    if (e.slot >= 0) frames[e.slot].value = member;
                    if (e.value.empty()) {
                        self(self, i + 1);
                    } else {
                        auto rest = [&] { self(self, i + 1); };
                        destructure(e.value[0], member, input, env, frames, rest);
                    }
                };
                if (e.key->is_literal()) {
                    with_key(e.key->literal);
                } else {
                    eval(*e.key, input, env, with_key);
                }
            };
            entry(entry, 0);
            return;
        }
    }
}

void Evaluator::eval_bind(const Node& node, const Value& input, Env env, const Emit& emit) {
    auto with_value = [&](const Value& value) {
        for (std::size_t alt = 0; alt < node.patterns.size(); ++alt) {
            Frames frames(static_cast<std::size_t>(node.variables));
            Env body_env = frames.link(env);
            auto body = [&] { eval(node.child(1), input, body_env, emit); };
            if (alt + 1 == node.patterns.size()) {
                destructure(node.patterns[alt], value, input, env, frames.data(), body);
                return;
            }
            // ?//: an error (in destructuring or in the body) moves on to the next pattern.
            try {
                destructure(node.patterns[alt], value, input, env, frames.data(), body);
                return;
            } catch (const FilterError&) {
            }
        }
    };
    eval(node.child(0), input, env, with_value);
}

void Evaluator::eval_reduce(const Node& node, const Value& input, Env env, const Emit& emit) {
    auto with_init = [&](const Value& init) {
        Value state = init;
        Frames frames(static_cast<std::size_t>(node.variables));
        Env body_env = frames.link(env);
        auto with_item = [&](const Value& item) {
            destructure(node.patterns[0], item, input, env, frames.data(), [&] {
                // The last output of the update is the new state; none makes it null.
                Value next;
                auto keep_last = [&](const Value& v) { next = v; };
                eval(node.child(2), state, body_env, keep_last);
                state = std::move(next);
            });
        };
        eval(node.child(0), input, env, with_item);
        emit(state);
    };
    eval(node.child(1), input, env, with_init);
}

void Evaluator::eval_foreach(const Node& node, const Value& input, Env env, const Emit& emit) {
    auto with_init = [&](const Value& init) {
        Value state = init;
        Frames frames(static_cast<std::size_t>(node.variables));
        Env body_env = frames.link(env);
        auto with_item = [&](const Value& item) {
            destructure(node.patterns[0], item, input, env, frames.data(), [&] {
                auto each_update = [&](const Value& updated) {
                    state = updated;
                    if (node.children.size() > 3) {
                        eval(node.child(3), updated, body_env, emit);
                    } else {
                        emit(updated);
                    }
                };
                const Value current = state;
                eval(node.child(2), current, body_env, each_update);
            });
        };
        eval(node.child(0), input, env, with_item);
    };
    eval(node.child(1), input, env, with_init);
}

template <class F>
void Evaluator::bind_params(const Node& call, const Value& input, Env caller, Env base,
                            F&& then) {
    const Node& def = *call.function;
    const std::size_t params = def.value_params.size();
    std::size_t values = 0;
    for (bool v : def.value_params) values += v ? 1 : 0;
    Frames frames(params + values);
    Frame* f = frames.data();
    for (std::size_t i = 0; i < params; ++i) {
        f[i].node = call.children[i].get();
        f[i].env = caller;
    }
    Env body_env = frames.link(base);
    if (values == 0) {
        then(body_env);
        return;
    }
    // def f($a; $b) is def f(a; b): a as $a | b as $b | ...: the first in the outer loop.
    auto bind = [&](auto&& self, std::size_t param, std::size_t slot) -> void {
        while (param < params && !def.value_params[param]) ++param;
        if (param == params) {
            then(body_env);
            return;
        }
        auto each = [&](const Value& v) {
            f[slot].value = v;
            self(self, param + 1, slot + 1);
        };
        eval(*call.children[param], input, caller, each);
    };
    bind(bind, 0, params);
}

void Evaluator::eval_function(const Node& node, const Value& input, Env env, const Emit& emit) {
    Env base = node.global ? nullptr : up(env, node.hops);
    bind_params(node, input, env, base,
                [&](Env body_env) { eval(node.function->child(0), input, body_env, emit); });
}

void Evaluator::eval_label(const Node& node, const Value& input, Env env, const Emit& emit) {
    Frame label;
    label.parent = env;
    label.label = &label;
    try {
        eval(node.child(0), input, &label, emit);
    } catch (const Break& b) {
        if (b.label != &label) throw;
    }
}

void Evaluator::eval_interpolation(const Node& node, const Value& input, Env env,
                                   const Emit& emit) {
    // "a\(x)b\(y)c" is "a" + (x|fmt) + "b" + (y|fmt) + "c": the last expression is the outer
    // loop, as with +.
    const std::size_t expressions = node.children.size() / 2;
    std::vector<std::string> pieces(expressions);
    auto fill = [&](auto&& self, std::size_t remaining) -> void {
        if (remaining == 0) {
            std::string out = node.child(0).literal.as_string();
            for (std::size_t i = 0; i < expressions; ++i) {
                out += pieces[i];
                out += node.child(2 * i + 2).literal.as_string();
            }
            emit(Value::string(std::move(out)));
            return;
        }
        const std::size_t i = remaining - 1;
        auto each = [&](const Value& v) {
            const Value formatted = apply_format(node.name, v);
            pieces[i] = formatted.as_string();
            self(self, i);
        };
        eval(node.child(2 * i + 1), input, env, each);
    };
    fill(fill, expressions);
}

void Evaluator::for_each_path(const Node& node, const Value& input, Env env,
                              const Callback<const Array&>& each) {
    StackMark mark(path_);
    const std::size_t base = path_.size();
    auto record = [&](const Value& v, bool intact) {
        if (!intact) raise("Invalid path expression with result " + dump_truncated(v, 30));
        const Array path(path_.begin() + static_cast<std::ptrdiff_t>(base), path_.end());
        each(path);
    };
    eval_paths(node, input, true, env, record);
}

std::vector<Array> Evaluator::collect_paths(const Node& node, const Value& input, Env env) {
    std::vector<Array> paths;
    auto keep = [&](const Array& path) { paths.push_back(path); };
    for_each_path(node, input, env, keep);
    return paths;
}

void Evaluator::eval_assign(const Node& node, const Value& input, Env env, const Emit& emit) {
    const std::string& op = node.name;
    const Node& lhs = node.child(0);
    const Node& rhs = node.child(1);
    if (op == "|=") {
        // jq 1.7: each path gets the first output of the update; a path whose update is empty
        // is deleted (all of them at the end).
        Value result = input;
        std::vector<Array> doomed;
        const std::vector<Array> paths = collect_paths(lhs, input, env);
        for (const Array& path : paths) {
            const Value path_value = Value::array(path);
            const Value old = get_path(result, path_value);
            // Only the first output counts. Later ones are ignored rather than cut off by an
            // exception (unwinding costs more than most updates), and an error after the first
            // output is one jq never reaches.
            bool have = false;
            Value updated;
            auto first_only = [&](const Value& v) {
                if (have) return;
                updated = v;
                have = true;
            };
            try {
                eval(rhs, old, env, first_only);
            } catch (const FilterError&) {
                if (!have) throw;
            }
            if (have) {
                result = set_path(result, path_value, updated);
            } else {
                doomed.push_back(path);
            }
        }
        emit(doomed.empty() ? result : delete_paths(result, std::move(doomed)));
        return;
    }
    // The right-hand side runs on the original input; each of its outputs gives one result.
    auto with_rhs = [&](const Value& value) {
        Value result = input;
        auto apply = [&](const Array& path) {
            const Value path_value = Value::array(path);
            if (op == "=") {
                result = set_path(result, path_value, value);
            } else {
                result = set_path(result, path_value,
                                  update_with(op, get_path(result, path_value), value));
            }
        };
        for_each_path(lhs, input, env, apply);
        emit(result);
    };
    eval(rhs, input, env, with_rhs);
}

Value Evaluator::regex_test(const Value& input, const Value& pattern, const Value& flags) {
    return regex_.match(input, pattern, flags, true);
}

void Evaluator::eval_call(const Node& node, const Value& input, Env env, const Emit& emit) {
    auto arg = [&](std::size_t i, auto&& body) { for_each_arg(node, i, input, env, body); };
    switch (node.builtin) {
        case Builtin::empty:
            return;
        case Builtin::error:
            if (node.children.empty()) throw FilterError{input};
            arg(0, [&](const Value& message) { throw FilterError{message}; });
            return;
        case Builtin::not_:
            emit(Value::boolean(!input.truthy()));
            return;
        case Builtin::select:
            arg(0, [&](const Value& condition) {
                if (condition.truthy()) emit(input);
            });
            return;
        case Builtin::has:
            arg(0, [&](const Value& key) { emit(has_key(input, key)); });
            return;
        case Builtin::length:
            emit(length_of(input));
            return;
        case Builtin::tostring:
            emit(to_string(input));
            return;
        case Builtin::tonumber:
            emit(to_number(input));
            return;
        case Builtin::ascii_downcase:
            emit(ascii_case(input, false));
            return;
        case Builtin::ascii_upcase:
            emit(ascii_case(input, true));
            return;
        case Builtin::test:
            if (node.children.size() == 1) {
                // jq: test($val) takes a string, or [re] / [re, flags].
                arg(0, [&](const Value& a) {
                    if (a.is_string()) {
                        emit(regex_test(input, a, Value()));
                    } else if (a.is_array() && a.as_array().size() > 1) {
                        emit(regex_test(input, a.as_array()[0], a.as_array()[1]));
                    } else if (a.is_array() && !a.as_array().empty()) {
                        emit(regex_test(input, a.as_array()[0], Value()));
                    } else {
                        raise(std::string(kind_name(a.kind())) + " not a string or array");
                    }
                });
            } else {
                with_args(node, input, env, [&](const std::array<Value, 3>& a) {
                    emit(regex_test(input, a[0], a[1]));
                });
            }
            return;
        case Builtin::startswith:
            arg(0, [&](const Value& prefix) { emit(starts_with(input, prefix)); });
            return;
        case Builtin::endswith:
            arg(0, [&](const Value& suffix) { emit(ends_with(input, suffix)); });
            return;
        case Builtin::ltrimstr:
            arg(0, [&](const Value& prefix) { emit(trim_prefix(input, prefix)); });
            return;
        case Builtin::rtrimstr:
            arg(0, [&](const Value& suffix) { emit(trim_suffix(input, suffix)); });
            return;
        case Builtin::del:
            emit(delete_paths(input, collect_paths(node.child(0), input, env)));
            return;
        case Builtin::todate:
            emit(to_date(input));
            return;
        case Builtin::fromdate:
            emit(from_date(input));
            return;
        case Builtin::keys:
            emit(keys_of(input));
            return;
        case Builtin::keys_unsorted:
            emit(keys_unsorted_of(input));
            return;
        case Builtin::map: {
            // jq: def map(f): [.[] | f];
            if (!input.is_array() && !input.is_object()) raise_cannot_iterate(input);
            Array mapped;
            auto collect = [&](const Value& v) { mapped.push_back(v); };
            if (input.is_array()) {
                for (const Value& item : input.as_array()) eval(node.child(0), item, env, collect);
            } else {
                for (const auto& member : input.as_object())
                    eval(node.child(0), member.second, env, collect);
            }
            emit(Value::array(std::move(mapped)));
            return;
        }
        case Builtin::type:
            emit(type_of(input));
            return;
        case Builtin::path: {
            auto each = [&](const Array& path) { emit(Value::array(path)); };
            for_each_path(node.child(0), input, env, each);
            return;
        }
        case Builtin::getpath:
            arg(0, [&](const Value& path) {
                Value result;
                try {
                    result = get_path(input, path);
                } catch (const FilterError&) {
                    if (!path.is_array()) throw;
                    // jq: getpath on a path through a scalar is an error naming the path
                    raise("Cannot index " + std::string(kind_name(input.kind())) + " with " +
                          dump_truncated(path, 30));
                }
                emit(result);
            });
            return;
        case Builtin::setpath:
            with_args(node, input, env, [&](const std::array<Value, 3>& a) {
                emit(set_path(input, a[0], a[1]));
            });
            return;
        case Builtin::delpaths:
            arg(0, [&](const Value& paths) { emit(delete_paths_value(input, paths)); });
            return;
        case Builtin::range: {
            // range($from; $upto) and range($from; $upto; $by): the first argument outermost.
            auto run_range = [&](const Value& from, const Value& upto, const Value& by) {
                if (!from.is_number() || !upto.is_number() || !by.is_number()) {
                    raise("Range bounds must be numeric");
                }
                const double f = from.as_number();
                const double u = upto.as_number();
                const double b = by.as_number();
                if (b > 0) {
                    for (double x = f; x < u; x += b) {
                        step();
                        emit(Value::number(x));
                    }
                } else if (b < 0) {
                    for (double x = f; x > u; x += b) {
                        step();
                        emit(Value::number(x));
                    }
                } else if (f < u) {
                    // jq: a zero step repeats the start forever; the step budget ends it.
                    for (;;) {
                        step();
                        emit(Value::number(f));
                    }
                }
            };
            arg(0, [&](const Value& from) {
                arg(1, [&](const Value& upto) {
                    if (node.children.size() == 2) {
                        run_range(from, upto, Value::number(1));
                    } else {
                        arg(2, [&](const Value& by) { run_range(from, upto, by); });
                    }
                });
            });
            return;
        }
        case Builtin::limit:
            arg(0, [&](const Value& n) {
                if (!n.is_number()) raise("Invalid limit: must be a number");
                const double count = n.as_number();
                if (count <= 0) {
                    if (count < 0) eval(node.child(1), input, env, emit);
                    return;
                }
                double seen = 0;
                const char stop = 0;
                auto take = [&](const Value& v) {
                    seen += 1;
                    emit(v);
                    if (seen >= count) throw Break{&stop};
                };
                try {
                    eval(node.child(1), input, env, take);
                } catch (const Break& b) {
                    if (b.label != &stop) throw;
                }
            });
            return;
        case Builtin::first: {
            const char stop = 0;
            auto take = [&](const Value& v) {
                emit(v);
                throw Break{&stop};
            };
            try {
                eval(node.child(0), input, env, take);
            } catch (const Break& b) {
                if (b.label != &stop) throw;
            }
            return;
        }
        case Builtin::last: {
            bool any = false;
            Value last;
            auto keep = [&](const Value& v) {
                last = v;
                any = true;
            };
            eval(node.child(0), input, env, keep);
            if (any) emit(last);
            return;
        }
        case Builtin::isempty: {
            bool empty = true;
            const char stop = 0;
            auto seen = [&](const Value&) {
                empty = false;
                throw Break{&stop};
            };
            try {
                eval(node.child(0), input, env, seen);
            } catch (const Break& b) {
                if (b.label != &stop) throw;
            }
            emit(Value::boolean(empty));
            return;
        }
        case Builtin::until: {
            // def until(cond; update): def _until: if cond then . else (update | _until) end;
            // as a loop while each step has one output.
            auto loop = [&](auto&& self, const Value& start) -> void {
                Value current = start;
                for (;;) {
                    step();
                    std::vector<Value> conditions;
                    auto collect = [&](const Value& c) { conditions.push_back(c); };
                    eval(node.child(0), current, env, collect);
                    if (conditions.size() == 1) {
                        if (conditions[0].truthy()) {
                            emit(current);
                            return;
                        }
                        std::vector<Value> nexts;
                        auto next = [&](const Value& v) { nexts.push_back(v); };
                        eval(node.child(1), current, env, next);
                        if (nexts.size() == 1) {
                            current = std::move(nexts[0]);
                            continue;
                        }
                        DepthGuard guard(depth_);
                        for (const Value& v : nexts) self(self, v);
                        return;
                    }
                    DepthGuard guard(depth_);
                    for (const Value& c : conditions) {
                        if (c.truthy()) {
                            emit(current);
                        } else {
                            auto next = [&](const Value& v) { self(self, v); };
                            eval(node.child(1), current, env, next);
                        }
                    }
                    return;
                }
            };
            loop(loop, input);
            return;
        }
        case Builtin::add:
            emit(add_values(input));
            return;
        case Builtin::contains:
            arg(0, [&](const Value& b) { emit(Value::boolean(contains_value(input, b))); });
            return;
        case Builtin::sort:
            emit(sort_value(input));
            return;
        case Builtin::sort_by_impl:
            arg(0, [&](const Value& keys) { emit(sort_by_keys(input, keys)); });
            return;
        case Builtin::group_by_impl:
            arg(0, [&](const Value& keys) { emit(group_by_keys(input, keys)); });
            return;
        case Builtin::unique_by_impl:
            arg(0, [&](const Value& keys) { emit(unique_by_keys(input, keys)); });
            return;
        case Builtin::min_by_impl:
            arg(0, [&](const Value& keys) { emit(extreme_by_keys(input, keys, false)); });
            return;
        case Builtin::max_by_impl:
            arg(0, [&](const Value& keys) { emit(extreme_by_keys(input, keys, true)); });
            return;
        case Builtin::min:
            emit(extreme_value(input, false));
            return;
        case Builtin::max:
            emit(extreme_value(input, true));
            return;
        case Builtin::unique:
            emit(unique_value(input));
            return;
        case Builtin::tojson:
            emit(Value::string(to_json(input)));
            return;
        case Builtin::fromjson:
            emit(from_json(input));
            return;
        case Builtin::explode:
            emit(explode_string(input));
            return;
        case Builtin::implode:
            emit(implode_array(input));
            return;
        case Builtin::split:
            arg(0, [&](const Value& separator) { emit(split_by(input, separator)); });
            return;
        case Builtin::indices:
            arg(0, [&](const Value& i) { emit(indices_of(input, i)); });
            return;
        case Builtin::utf8bytelength:
            emit(utf8_byte_length(input));
            return;
        case Builtin::trim:
            emit(trim_whitespace(input, true, true));
            return;
        case Builtin::ltrim:
            emit(trim_whitespace(input, true, false));
            return;
        case Builtin::rtrim:
            emit(trim_whitespace(input, false, true));
            return;
        case Builtin::infinite:
            emit(Value::number(HUGE_VAL));
            return;
        case Builtin::nan:
            emit(Value::number(std::nan("")));
            return;
        case Builtin::isinfinite:
            if (!input.is_number()) raise("number required");
            emit(Value::boolean(std::isinf(input.as_number())));
            return;
        case Builtin::isnan:
            if (!input.is_number()) raise("number required");
            emit(Value::boolean(std::isnan(input.as_number())));
            return;
        case Builtin::isnormal:
            if (!input.is_number()) raise("number required");
            emit(Value::boolean(std::isnormal(input.as_number())));
            return;
        case Builtin::now:
            emit(now_value());
            return;
        case Builtin::mktime:
            emit(mktime_value(input));
            return;
        case Builtin::gmtime:
            emit(gmtime_value(input, false));
            return;
        case Builtin::localtime:
            emit(gmtime_value(input, true));
            return;
        case Builtin::strftime:
            arg(0, [&](const Value& format) { emit(strftime_value(input, format, false)); });
            return;
        case Builtin::strflocaltime:
            arg(0, [&](const Value& format) { emit(strftime_value(input, format, true)); });
            return;
        case Builtin::strptime:
            arg(0, [&](const Value& format) { emit(strptime_value(input, format)); });
            return;
        case Builtin::env: {
            static const Value environment = environment_object();
            emit(environment);
            return;
        }
        case Builtin::builtins: {
            Array names;
            for (std::string& s : native_signatures()) names.push_back(Value::string(std::move(s)));
            for (std::string& s : prelude().signatures())
                names.push_back(Value::string(std::move(s)));
            emit(Value::array(std::move(names)));
            return;
        }
        case Builtin::input_line_number:
            emit(Value::number(0));
            return;
        case Builtin::input_filename:
            emit(Value());
            return;
        case Builtin::math: {
            with_args(node, input, env, [&](const std::array<Value, 3>& a) {
                emit(apply_math(node.name, input, a.data(), node.children.size()));
            });
            return;
        }
        case Builtin::match_impl:
            with_args(node, input, env, [&](const std::array<Value, 3>& a) {
                emit(regex_.match(input, a[0], a[1], a[2].truthy()));
            });
            return;
        case Builtin::sub: {
            // sub(re; str; flags) / gsub: each match's capture object goes through str; several
            // outputs of str give several results (the later matches in the outer loop).
            const bool global = node.name == "gsub";
            auto run_sub = [&](const Value& re, const Value& flags) {
                if (!input.is_string()) {
                    raise(kind_and_value(input) + " cannot be matched, as it is not a string");
                }
                Value all_flags = flags;
                if (global) {
                    all_flags = Value::string("g" + (flags.is_string() ? flags.as_string() : ""));
                }
                const Value matches = regex_.match(input, re, all_flags, false);
                const Array& ms = matches.as_array();
                const std::string& text = input.as_string();
                std::vector<std::string> replaced(ms.size());
                auto build = [&](auto&& self, std::size_t remaining) -> void {
                    if (remaining == 0) {
                        std::string out;
                        std::size_t at = 0;  // byte offset
                        for (std::size_t i = 0; i < ms.size(); ++i) {
                            const Object& m = ms[i].as_object();
                            const std::size_t begin = byte_offset_of_codepoint(
                                text, static_cast<std::size_t>(m.find("offset")->as_number()));
                            const std::size_t end = byte_offset_of_codepoint(
                                text, static_cast<std::size_t>(m.find("offset")->as_number() +
                                                               m.find("length")->as_number()));
                            out.append(text, at, begin - at);
                            out += replaced[i];
                            at = end;
                        }
                        out.append(text, at, std::string::npos);
                        emit(Value::string(std::move(out)));
                        return;
                    }
                    const std::size_t i = remaining - 1;
                    const Value captures = capture_object(ms[i]);
                    auto each = [&](const Value& r) {
                        if (!r.is_string()) {
                            raise(kind_and_value(Value::string(text.substr(0, 0))) +
                                  " and " + kind_and_value(r) + " cannot be added");
                        }
                        replaced[i] = r.as_string();
                        self(self, i);
                    };
                    eval(node.child(1), captures, env, each);
                };
                build(build, ms.size());
            };
            if (node.children.size() == 3) {
                arg(2, [&](const Value& flags) {
                    arg(0, [&](const Value& re) { run_sub(re, flags); });
                });
            } else {
                arg(0, [&](const Value& re) { run_sub(re, Value()); });
            }
            return;
        }
        case Builtin::tostream: {
            std::vector<Value> events;
            to_stream(input, events);
            for (const Value& e : events) emit(e);
            return;
        }
        case Builtin::input:
            raise("No more inputs");
        case Builtin::debug: {
            const std::string text = "[\"DEBUG:\"," + to_json(input) + "]\n";
            std::fwrite(text.data(), 1, text.size(), stderr);
            emit(input);
            return;
        }
        case Builtin::stderr_: {
            const std::string text = to_json(input);
            std::fwrite(text.data(), 1, text.size(), stderr);
            emit(input);
            return;
        }
        case Builtin::halt:
            throw Halt{false, Value()};
        case Builtin::halt_error:
            arg(0, [&](const Value&) { throw Halt{true, input}; });
            return;
        case Builtin::format:
            arg(0, [&](const Value& name) {
                if (!name.is_string()) raise(kind_and_value(name) + " is not a valid format");
                emit(apply_format("@" + name.as_string(), input));
            });
            return;
    }
}

void Evaluator::eval_paths(const Node& node, const Value& current, bool intact, Env env,
                           const PathEmit& emit) {
    DepthGuard guard(depth_);
    step();
    switch (node.kind) {
        case NodeKind::identity:
            emit(current, intact);
            return;
        case NodeKind::recurse_default: {
            if (!intact) {
                raise("Invalid path expression near attempt to iterate through " +
                      dump_truncated(current, 30));
            }
            auto walk = [&](auto&& self, const Value& v) -> void {
                DepthGuard inner(depth_);
                emit(v, true);
                if (v.is_array()) {
                    const Array& items = v.as_array();
                    for (std::size_t i = 0; i < items.size(); ++i) {
                        StackMark mark(path_);
                        path_.push_back(Value::number(static_cast<double>(i)));
                        self(self, items[i]);
                    }
                } else if (v.is_object()) {
                    for (const auto& [key, value] : v.as_object()) {
                        StackMark mark(path_);
                        path_.push_back(Value::string(key));
                        self(self, value);
                    }
                }
            };
            walk(walk, current);
            return;
        }
        case NodeKind::index:
        case NodeKind::slice: {
            auto with_key = [&](const Value& key) {
                auto with_target = [&](const Value& target, bool target_intact) {
                    if (!target_intact) {
                        raise("Invalid path expression near attempt to access element " +
                              dump_truncated(key, 15) + " of " + dump_truncated(target, 30));
                    }
                    Value result;
                    if (node.optional) {
                        try {
                            result = index_value(target, key);
                        } catch (const FilterError&) {
                            return;
                        }
                    } else {
                        result = index_value(target, key);
                    }
                    StackMark mark(path_);
                    path_.push_back(key);
                    emit(result, true);
                };
                eval_paths(node.child(0), current, intact, env, with_target);
            };
            if (node.kind == NodeKind::slice) {
                for_each_arg(node, 2, current, env, [&](const Value& to) {
                    for_each_arg(node, 1, current, env, [&](const Value& from) {
                        Object bounds;
                        bounds.set("start", from);
                        bounds.set("end", to);
                        with_key(Value::object(std::move(bounds)));
                    });
                });
                return;
            }
            const Node& key = node.child(1);
            if (key.is_literal()) {
                with_key(key.literal);
            } else {
                eval(key, current, env, with_key);
            }
            return;
        }
        case NodeKind::iterate: {
            auto each = [&](const Value& container, bool container_intact) {
                if (!container_intact) {
                    raise("Invalid path expression near attempt to iterate through " +
                          dump_truncated(container, 30));
                }
                if (container.is_array()) {
                    const Array& items = container.as_array();
                    for (std::size_t i = 0; i < items.size(); ++i) {
                        StackMark mark(path_);
                        path_.push_back(Value::number(static_cast<double>(i)));
                        emit(items[i], true);
                    }
                } else if (container.is_object()) {
                    for (const auto& [key, value] : container.as_object()) {
                        StackMark mark(path_);
                        path_.push_back(Value::string(key));
                        emit(value, true);
                    }
                } else if (!node.optional) {
                    raise_cannot_iterate(container);
                }
            };
            eval_paths(node.child(0), current, intact, env, each);
            return;
        }
        case NodeKind::try_: {
            const char owner = 0;
            auto pass = [&](const Value& v, bool v_intact) {
                try {
                    emit(v, v_intact);
                } catch (FilterError& error) {
                    throw Downstream{std::move(error), &owner};
                }
            };
            Value caught;
            {
                StackMark mark(path_);
                try {
                    eval_paths(node.child(0), current, intact, env, pass);
                    return;
                } catch (Downstream& downstream) {
                    if (downstream.owner != &owner) throw;
                    throw std::move(downstream.error);
                } catch (FilterError& error) {
                    caught = std::move(error.payload);
                }
            }
            if (node.children.size() > 1) {
                auto plain = [&](const Value& v) { emit(v, false); };
                eval(node.child(1), caught, env, plain);
            }
            return;
        }
        case NodeKind::pipe: {
            auto rhs = [&](const Value& v, bool v_intact) {
                eval_paths(node.child(1), v, v_intact, env, emit);
            };
            eval_paths(node.child(0), current, intact, env, rhs);
            return;
        }
        case NodeKind::comma:
            for (const auto& item : node.children) eval_paths(*item, current, intact, env, emit);
            return;
        case NodeKind::if_: {
            // Conditions are ordinary values; branches are paths.
            auto pick = [&](auto&& self, std::size_t b) -> void {
                if (b + 1 == node.children.size()) {
                    eval_paths(node.child(b), current, intact, env, emit);
                    return;
                }
                auto with_condition = [&](const Value& condition) {
                    if (condition.truthy()) {
                        eval_paths(node.child(b + 1), current, intact, env, emit);
                    } else {
                        self(self, b + 2);
                    }
                };
                eval(node.child(b), current, env, with_condition);
            };
            pick(pick, 0);
            return;
        }
        case NodeKind::alternative: {
            bool found = false;
            auto truthy_only = [&](const Value& v, bool v_intact) {
                if (!v.truthy()) return;
                found = true;
                emit(v, v_intact);
            };
            eval_paths(node.child(0), current, intact, env, truthy_only);
            if (!found) eval_paths(node.child(1), current, intact, env, emit);
            return;
        }
        case NodeKind::call:
            eval_call_paths(node, current, intact, env, emit);
            return;
        case NodeKind::bind: {
            auto with_value = [&](const Value& value) {
                for (std::size_t alt = 0; alt < node.patterns.size(); ++alt) {
                    Frames frames(static_cast<std::size_t>(node.variables));
                    Env body_env = frames.link(env);
                    auto body = [&] { eval_paths(node.child(1), current, intact, body_env, emit); };
                    if (alt + 1 == node.patterns.size()) {
                        destructure(node.patterns[alt], value, current, env, frames.data(), body);
                        return;
                    }
                    try {
                        destructure(node.patterns[alt], value, current, env, frames.data(), body);
                        return;
                    } catch (const FilterError&) {
                    }
                }
            };
            eval(node.child(0), current, env, with_value);
            return;
        }
        case NodeKind::reduce:
        case NodeKind::foreach: {
            const bool is_reduce = node.kind == NodeKind::reduce;
            auto with_init = [&](const Value& init, bool init_intact) {
                Array state_path = path_;
                Value state = init;
                bool state_intact = init_intact;
                Frames frames(static_cast<std::size_t>(node.variables));
                Env body_env = frames.link(env);
                auto with_item = [&](const Value& item) {
                    destructure(node.patterns[0], item, current, env, frames.data(), [&] {
                        StackMark mark(path_);
                        path_ = state_path;
                        const Value before = state;
                        const bool before_intact = state_intact;
                        bool any = false;
                        auto each = [&](const Value& v, bool v_intact) {
                            any = true;
                            state = v;
                            state_intact = v_intact;
                            state_path = path_;
                            if (!is_reduce) {
                                if (node.children.size() > 3) {
                                    eval_paths(node.child(3), v, v_intact, body_env, emit);
                                } else {
                                    emit(v, v_intact);
                                }
                            }
                        };
                        eval_paths(node.child(2), before, before_intact, body_env, each);
                        if (!any && is_reduce) {
                            state = Value();
                            state_intact = false;
                        }
                    });
                };
                eval(node.child(0), current, env, with_item);
                if (is_reduce) {
                    StackMark mark(path_);
                    path_ = state_path;
                    emit(state, state_intact);
                }
            };
            eval_paths(node.child(1), current, intact, env, with_init);
            return;
        }
        case NodeKind::func_def: {
            Frame function;
            function.parent = env;
            function.node = &node;
            eval_paths(node.child(1), current, intact, &function, emit);
            return;
        }
        case NodeKind::call_function: {
            Env base = node.global ? nullptr : up(env, node.hops);
            bind_params(node, current, env, base, [&](Env body_env) {
                eval_paths(node.function->child(0), current, intact, body_env, emit);
            });
            return;
        }
        case NodeKind::call_param: {
            const Frame* closure = up(env, node.hops);
            eval_paths(*closure->node, current, intact, closure->env, emit);
            return;
        }
        case NodeKind::label: {
            Frame label;
            label.parent = env;
            label.label = &label;
            try {
                eval_paths(node.child(0), current, intact, &label, emit);
            } catch (const Break& b) {
                if (b.label != &label) throw;
            }
            return;
        }
        case NodeKind::break_:
            throw Break{up(env, node.hops)->label};
        default:
            break;
    }
    // Anything else yields plain values. jq keeps the path when such a value is identical to the
    // one at the path (the same null/true/false, the same number, the very same string, array or
    // object, e.g. ltrimstr that did not trim); otherwise the value no longer has a path.
    auto plain = [&](const Value& v) { emit(v, intact && identical(v, current)); };
    eval(node, current, env, plain);
}

void Evaluator::eval_call_paths(const Node& node, const Value& current, bool intact, Env env,
                                const PathEmit& emit) {
    switch (node.builtin) {
        case Builtin::empty:
            return;
        case Builtin::select: {
            auto with_condition = [&](const Value& condition) {
                if (condition.truthy()) emit(current, intact);
            };
            eval(node.child(0), current, env, with_condition);
            return;
        }
        case Builtin::getpath:
            for_each_arg(node, 0, current, env, [&](const Value& path) {
                if (!intact) {
                    raise("Invalid path expression with result " + dump_truncated(current, 30));
                }
                if (!path.is_array()) raise("Path must be specified as an array");
                Value result;
                try {
                    result = get_path(current, path);
                } catch (const FilterError&) {
                    return;
                }
                StackMark mark(path_);
                for (const Value& key : path.as_array()) path_.push_back(key);
                emit(result, true);
            });
            return;
        case Builtin::first:
        case Builtin::limit: {
            auto run = [&](double count, const Node& f) {
                if (count <= 0) {
                    if (count < 0) eval_paths(f, current, intact, env, emit);
                    return;
                }
                double seen = 0;
                const char stop = 0;
                auto take = [&](const Value& v, bool v_intact) {
                    seen += 1;
                    emit(v, v_intact);
                    if (seen >= count) throw Break{&stop};
                };
                try {
                    eval_paths(f, current, intact, env, take);
                } catch (const Break& b) {
                    if (b.label != &stop) throw;
                }
            };
            if (node.builtin == Builtin::first) {
                run(1, node.child(0));
            } else {
                for_each_arg(node, 0, current, env, [&](const Value& n) {
                    if (!n.is_number()) raise("Invalid limit: must be a number");
                    run(n.as_number(), node.child(1));
                });
            }
            return;
        }
        case Builtin::last: {
            bool any = false;
            Array last_path;
            Value last;
            bool last_intact = false;
            {
                StackMark mark(path_);
                auto keep = [&](const Value& v, bool v_intact) {
                    any = true;
                    last = v;
                    last_intact = v_intact;
                    last_path = path_;
                };
                eval_paths(node.child(0), current, intact, env, keep);
            }
            if (any) {
                StackMark mark(path_);
                path_ = last_path;
                emit(last, last_intact);
            }
            return;
        }
        default:
            break;
    }
    auto plain = [&](const Value& v) { emit(v, intact && identical(v, current)); };
    eval_call(node, current, env, plain);
}

}  // namespace kpipe::filter
