#include "filter/evaluator.hpp"

#include "filter/json_writer.hpp"

namespace kpipe::filter {

namespace {

// Evaluation recursion is bounded by the parser's nesting limit; this is a second line of defence
// against stack exhaustion.
constexpr int max_eval_depth = 4096;

class DepthGuard {
  public:
    explicit DepthGuard(int& depth) : depth_(depth) {
        if (++depth_ > max_eval_depth) {
            --depth_;
            raise("filter evaluation nested too deeply");
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

}  // namespace

void Evaluator::run(const Node& root, const Value& input, FilterOutputs& outputs) {
    depth_ = 0;
    path_.clear();
    auto to_output = [&](const Value& v) {
        write_json(v, outputs.bytes_);
        outputs.end_output();
    };
    eval(root, input, to_output);
}

void Evaluator::eval(const Node& node, const Value& input, const Emit& emit) {
    DepthGuard guard(depth_);
    switch (node.kind) {
        case NodeKind::identity:
            emit(input);
            return;
        case NodeKind::literal:
            emit(node.literal);
            return;
        case NodeKind::index:
            eval_index(node, input, emit);
            return;
        case NodeKind::iterate:
            eval_iterate(node, input, emit);
            return;
        case NodeKind::try_:
            try {
                eval(node.child(0), input, emit);
            } catch (const FilterError&) {
                // Like jq 1.6: the error ends this term's outputs and is not reported.
            }
            return;
        case NodeKind::pipe: {
            auto rhs = [&](const Value& v) { eval(node.child(1), v, emit); };
            eval(node.child(0), input, rhs);
            return;
        }
        case NodeKind::comma:
            for (const auto& item : node.children) eval(*item, input, emit);
            return;
        case NodeKind::array: {
            Array items;
            if (!node.children.empty()) {
                auto collect = [&](const Value& v) { items.push_back(v); };
                eval(node.child(0), input, collect);
            }
            emit(Value::array(std::move(items)));
            return;
        }
        case NodeKind::object: {
            std::vector<Object::Member> members;
            members.reserve(node.children.size() / 2);
            eval_object(node, 0, input, members, emit);
            return;
        }
        case NodeKind::negate: {
            auto negated = [&](const Value& v) { emit(negate(v)); };
            eval(node.child(0), input, negated);
            return;
        }
        case NodeKind::binary: {
            // jq evaluates the right operand in the outer loop: [(1,2) + (10,20)] is
            // [11,12,21,22].
            auto with_rhs = [&](const Value& rhs) {
                auto with_lhs = [&](const Value& lhs) { emit(apply_binary(node.op, lhs, rhs)); };
                eval(node.child(0), input, with_lhs);
            };
            eval(node.child(1), input, with_rhs);
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
                eval(node.child(1), input, with_rhs);
            };
            eval(node.child(0), input, with_lhs);
            return;
        }
        case NodeKind::alternative: {
            bool found = false;
            auto truthy_only = [&](const Value& v) {
                if (!v.truthy()) return;
                found = true;
                emit(v);
            };
            eval(node.child(0), input, truthy_only);
            if (!found) eval(node.child(1), input, emit);
            return;
        }
        case NodeKind::if_:
            eval_if(node, 0, input, emit);
            return;
        case NodeKind::call:
            eval_call(node, input, emit);
            return;
    }
}

void Evaluator::eval_index(const Node& node, const Value& input, const Emit& emit) {
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
            eval(target, input, with_target);
        }
    };
    if (key.is_literal()) {
        with_key(key.literal);
    } else {
        eval(key, input, with_key);
    }
}

void Evaluator::eval_iterate(const Node& node, const Value& input, const Emit& emit) {
    auto each = [&](const Value& container) {
        if (container.is_array()) {
            for (const Value& item : container.as_array()) emit(item);
        } else if (container.is_object()) {
            for (const auto& member : container.as_object()) emit(member.second);
        } else if (!node.optional) {
            raise_cannot_iterate(container);
        }
    };
    eval(node.child(0), input, each);
}

void Evaluator::eval_object(const Node& node, std::size_t entry, const Value& input,
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
            eval_object(node, entry + 1, input, members, emit);
        };
        eval(value_node, input, with_value);
    };
    if (key_node.is_literal()) {
        with_key(key_node.literal);
    } else {
        eval(key_node, input, with_key);
    }
}

void Evaluator::eval_if(const Node& node, std::size_t branch, const Value& input,
                        const Emit& emit) {
    if (branch + 1 == node.children.size()) {
        eval(node.child(branch), input, emit);
        return;
    }
    auto with_condition = [&](const Value& condition) {
        if (condition.truthy()) {
            eval(node.child(branch + 1), input, emit);
        } else {
            eval_if(node, branch + 2, input, emit);
        }
    };
    eval(node.child(branch), input, with_condition);
}

Value Evaluator::regex_test(const Value& input, const Value& pattern, const Value& flags) {
    if (!input.is_string())
        raise(kind_and_value(input) + " cannot be matched, as it is not a string");
    if (!pattern.is_string()) raise(kind_and_value(pattern) + " is not a string");
    RegexFlags parsed;
    if (flags.is_string()) {
        parsed = parse_regex_flags(flags.as_string());
        if (parsed.problem == RegexFlags::Problem::invalid) raise(parsed.message);
        if (parsed.problem == RegexFlags::Problem::unsupported) {
            raise(parsed.message + " is not supported by kpipe's filter language");
        }
    } else if (!flags.is_null()) {
        raise(kind_and_value(flags) + " is not a string");
    }
    std::string error;
    const std::optional<bool> matched =
        regex_.search(pattern.as_string(), parsed, input.as_string(), error);
    if (!matched) raise(error);
    return Value::boolean(*matched);
}

void Evaluator::eval_call(const Node& node, const Value& input, const Emit& emit) {
    // Functions of one argument yield once per value of the argument.
    auto for_each_arg = [&](std::size_t i, auto&& body) {
        const Node& arg = node.child(i);
        if (arg.is_literal()) {
            body(arg.literal);
        } else {
            eval(arg, input, body);
        }
    };
    switch (node.builtin) {
        case Builtin::empty:
            return;
        case Builtin::error:
            // error(null) behaves like empty in jq 1.6.
            if (node.children.empty()) {
                if (!input.is_null()) throw FilterError{input};
                return;
            }
            for_each_arg(0, [&](const Value& message) {
                if (!message.is_null()) throw FilterError{message};
            });
            return;
        case Builtin::not_:
            emit(Value::boolean(!input.truthy()));
            return;
        case Builtin::select:
            for_each_arg(0, [&](const Value& condition) {
                if (condition.truthy()) emit(input);
            });
            return;
        case Builtin::has:
            for_each_arg(0, [&](const Value& key) { emit(has_key(input, key)); });
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
                for_each_arg(0, [&](const Value& arg) {
                    if (arg.is_string()) {
                        emit(regex_test(input, arg, Value()));
                    } else if (arg.is_array() && arg.as_array().size() > 1) {
                        emit(regex_test(input, arg.as_array()[0], arg.as_array()[1]));
                    } else if (arg.is_array() && !arg.as_array().empty()) {
                        emit(regex_test(input, arg.as_array()[0], Value()));
                    } else {
                        raise(std::string(kind_name(arg.kind())) + " not a string or array");
                    }
                });
            } else {
                // jq 1.6 binds test's $flags in the outer loop.
                for_each_arg(1, [&](const Value& flags) {
                    for_each_arg(
                        0, [&](const Value& pattern) { emit(regex_test(input, pattern, flags)); });
                });
            }
            return;
        case Builtin::startswith:
            for_each_arg(0, [&](const Value& prefix) { emit(starts_with(input, prefix)); });
            return;
        case Builtin::endswith:
            for_each_arg(0, [&](const Value& suffix) { emit(ends_with(input, suffix)); });
            return;
        case Builtin::ltrimstr:
            for_each_arg(0, [&](const Value& prefix) { emit(trim_prefix(input, prefix)); });
            return;
        case Builtin::rtrimstr:
            for_each_arg(0, [&](const Value& suffix) { emit(trim_suffix(input, suffix)); });
            return;
        case Builtin::del: {
            std::vector<Array> paths;
            {
                StackMark mark(path_);
                auto record = [&](const Value& v, bool intact) {
                    if (!intact)
                        raise("Invalid path expression with result " + dump_truncated(v, 30));
                    paths.push_back(path_);
                };
                eval_paths(node.child(0), input, true, record);
            }
            emit(delete_paths(input, std::move(paths)));
            return;
        }
        case Builtin::todate:
            emit(to_date(input));
            return;
        case Builtin::fromdate:
            emit(from_date(input));
            return;
        case Builtin::keys:
            emit(keys_of(input));
            return;
        case Builtin::map: {
            // jq: def map(f): [.[] | f];
            if (!input.is_array() && !input.is_object()) raise_cannot_iterate(input);
            Array mapped;
            auto collect = [&](const Value& v) { mapped.push_back(v); };
            if (input.is_array()) {
                for (const Value& item : input.as_array()) eval(node.child(0), item, collect);
            } else {
                for (const auto& member : input.as_object())
                    eval(node.child(0), member.second, collect);
            }
            emit(Value::array(std::move(mapped)));
            return;
        }
        case Builtin::type:
            emit(type_of(input));
            return;
    }
}

void Evaluator::eval_paths(const Node& node, const Value& current, bool intact,
                           const PathEmit& emit) {
    DepthGuard guard(depth_);
    switch (node.kind) {
        case NodeKind::identity:
            emit(current, intact);
            return;
        case NodeKind::index: {
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
                eval_paths(node.child(0), current, intact, with_target);
            };
            const Node& key = node.child(1);
            if (key.is_literal()) {
                with_key(key.literal);
            } else {
                eval(key, current, with_key);
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
            eval_paths(node.child(0), current, intact, each);
            return;
        }
        case NodeKind::try_: {
            StackMark mark(path_);
            try {
                eval_paths(node.child(0), current, intact, emit);
            } catch (const FilterError&) {
            }
            return;
        }
        case NodeKind::pipe: {
            auto rhs = [&](const Value& v, bool v_intact) {
                eval_paths(node.child(1), v, v_intact, emit);
            };
            eval_paths(node.child(0), current, intact, rhs);
            return;
        }
        case NodeKind::comma:
            for (const auto& item : node.children) eval_paths(*item, current, intact, emit);
            return;
        case NodeKind::if_: {
            // Conditions are ordinary values; branches are paths.
            auto pick = [&](auto&& self, std::size_t b) -> void {
                if (b + 1 == node.children.size()) {
                    eval_paths(node.child(b), current, intact, emit);
                    return;
                }
                auto with_condition = [&](const Value& condition) {
                    if (condition.truthy()) {
                        eval_paths(node.child(b + 1), current, intact, emit);
                    } else {
                        self(self, b + 2);
                    }
                };
                eval(node.child(b), current, with_condition);
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
            eval_paths(node.child(0), current, intact, truthy_only);
            if (!found) eval_paths(node.child(1), current, intact, emit);
            return;
        }
        case NodeKind::call:
            if (node.builtin == Builtin::select) {
                auto with_condition = [&](const Value& condition) {
                    if (condition.truthy()) emit(current, intact);
                };
                eval(node.child(0), current, with_condition);
                return;
            }
            break;
        default:
            break;
    }
    // Anything else yields plain values. jq keeps the path when such a value is identical to the
    // one at the path (the same null/true/false, the same number, the very same string, array or
    // object, e.g. ltrimstr that did not trim); otherwise the value no longer has a path.
    auto plain = [&](const Value& v) { emit(v, intact && identical(v, current)); };
    eval(node, current, plain);
}

}  // namespace kpipe::filter
