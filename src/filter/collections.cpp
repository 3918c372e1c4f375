// Builtins on arrays and objects: add, sort and the _by family, min/max, unique, contains,
// indices, keys_unsorted.

#include <algorithm>
#include <numeric>

#include "filter/builtins.hpp"

namespace kpipe::filter {

namespace {

const Array& sortable(const Value& input) {
    if (!input.is_array()) raise(kind_and_value(input) + " cannot be sorted, as it is not an array");
    return input.as_array();
}

// Positions of `input` sorted (stably) by their keys, which must be a parallel array.
std::vector<std::size_t> order_by(const Value& input, const Value& keys) {
    const Array& items = sortable(input);
    if (!keys.is_array() || keys.as_array().size() != items.size()) {
        raise(kind_and_value(input) + " and " + kind_and_value(keys) + " have wrong length");
    }
    const Array& k = keys.as_array();
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return compare(k[a], k[b]) < 0; });
    return order;
}

bool contains_string(const std::string& a, const std::string& b) {
    return a.find(b) != std::string::npos;
}

}  // namespace

Value keys_unsorted_of(const Value& value) {
    Array keys;
    if (value.is_object()) {
        for (const auto& member : value.as_object()) keys.push_back(Value::string(member.first));
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.as_array().size(); ++i) {
            keys.push_back(Value::number(static_cast<double>(i)));
        }
    } else {
        raise(kind_and_value(value) + " has no keys");
    }
    return Value::array(std::move(keys));
}

// def add: reduce .[] as $x (null; . + $x);
Value add_values(const Value& value) {
    Value sum;
    if (value.is_array()) {
        for (const Value& item : value.as_array()) sum = apply_binary(BinaryOp::add, sum, item);
    } else if (value.is_object()) {
        for (const auto& member : value.as_object())
            sum = apply_binary(BinaryOp::add, sum, member.second);
    } else {
        raise_cannot_iterate(value);
    }
    return sum;
}

Value sort_value(const Value& value) {
    Array items = sortable(value);
    std::stable_sort(items.begin(), items.end(),
                     [](const Value& a, const Value& b) { return compare(a, b) < 0; });
    return Value::array(std::move(items));
}

Value sort_by_keys(const Value& input, const Value& keys) {
    const Array& items = sortable(input);
    Array out;
    for (std::size_t i : order_by(input, keys)) out.push_back(items[i]);
    return Value::array(std::move(out));
}

Value group_by_keys(const Value& input, const Value& keys) {
    const Array& items = sortable(input);
    const Array& k = keys.is_array() ? keys.as_array() : items;
    Array groups;
    Array current;
    const Value* current_key = nullptr;
    for (std::size_t i : order_by(input, keys)) {
        if (current_key != nullptr && compare(*current_key, k[i]) != 0) {
            groups.push_back(Value::array(std::move(current)));
            current.clear();
        }
        current_key = &k[i];
        current.push_back(items[i]);
    }
    if (current_key != nullptr) groups.push_back(Value::array(std::move(current)));
    return Value::array(std::move(groups));
}

Value unique_by_keys(const Value& input, const Value& keys) {
    Array out;
    for (const Value& group : group_by_keys(input, keys).as_array())
        out.push_back(group.as_array().front());
    return Value::array(std::move(out));
}

// jq's minmax_by: the first minimum, the last maximum.
Value extreme_by_keys(const Value& input, const Value& keys, bool max) {
    if (!input.is_array()) raise(kind_and_value(input) + " cannot be iterated over");
    if (!keys.is_array()) raise(kind_and_value(keys) + " cannot be iterated over");
    const Array& items = input.as_array();
    const Array& k = keys.as_array();
    if (items.size() != k.size()) {
        raise(kind_and_value(input) + " and " + kind_and_value(keys) + " have wrong length");
    }
    if (items.empty()) return Value();
    std::size_t best = 0;
    for (std::size_t i = 1; i < items.size(); ++i) {
        const int cmp = compare(k[i], k[best]);
        if ((cmp < 0) == !max) best = i;
    }
    return items[best];
}

Value extreme_value(const Value& input, bool max) {
    return extreme_by_keys(input, input, max);
}

Value unique_value(const Value& input) {
    return unique_by_keys(input, input);
}

// jq's jv_contains.
bool contains_value(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) {
        raise(kind_and_value(a) + " and " + kind_and_value(b) +
              " cannot have their containment checked");
    }
    if (a.is_object()) {
        for (const auto& [key, bv] : b.as_object()) {
            const Value* av = a.as_object().find(key);
            if (av == nullptr || av->kind() != bv.kind() || !contains_value(*av, bv)) return false;
        }
        return true;
    }
    if (a.is_array()) {
        for (const Value& bv : b.as_array()) {
            bool found = false;
            for (const Value& av : a.as_array()) {
                if (av.kind() == bv.kind() && contains_value(av, bv)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }
    if (a.is_string()) return contains_string(a.as_string(), b.as_string());
    return equals(a, b);
}

Value indices_of(const Value& input, const Value& i) {
    if (input.is_array() && i.is_array()) return index_value(input, i);
    if (input.is_array()) return index_value(input, Value::array({i}));
    if (input.is_string() && i.is_string()) {
        Array positions;
        const std::string& text = input.as_string();
        const std::string& needle = i.as_string();
        if (needle.empty()) return Value::array({});
        std::size_t cp = 0;
        std::size_t counted = 0;
        for (std::size_t at = text.find(needle); at != std::string::npos;
             at = text.find(needle, at + 1)) {
            cp += codepoint_count(std::string_view(text).substr(counted, at - counted));
            counted = at;
            positions.push_back(Value::number(static_cast<double>(cp)));
        }
        return Value::array(std::move(positions));
    }
    return index_value(input, i);
}

}  // namespace kpipe::filter
