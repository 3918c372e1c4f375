// getpath, setpath, delpaths and tostream, as jq's jv_getpath, jv_setpath and jv_delpaths do them.

#include "filter/builtins.hpp"
#include "filter/json_writer.hpp"

namespace kpipe::filter {

namespace {

Value get_path_from(const Value& input, const Array& path, std::size_t from) {
    Value current = input;
    for (std::size_t i = from; i < path.size(); ++i) {
        if (current.is_null()) return Value();
        current = index_value(current, path[i]);
    }
    return current;
}

// .[from:to] = array on an array replaces that part.
Value set_slice(const Value& container, const Value& bounds, const Value& value) {
    if (!value.is_array()) raise("A slice of an array can only be assigned another array");
    const Array& items = container.as_array();
    const Value part = index_value(container, bounds);  // validates the bounds
    const Value* start_value = bounds.as_object().find("start");
    double start = start_value != nullptr && start_value->is_number() ? start_value->as_number() : 0;
    const double length = static_cast<double>(items.size());
    if (start < 0) start += length;
    if (start < 0) start = 0;
    if (start > length) start = length;
    const auto begin = static_cast<std::size_t>(start);
    Array out(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(begin));
    for (const Value& v : value.as_array()) out.push_back(v);
    const std::size_t after = begin + part.as_array().size();
    for (std::size_t i = after; i < items.size(); ++i) out.push_back(items[i]);
    return Value::array(std::move(out));
}

Value set_path_from(const Value& input, const Array& path, std::size_t at, const Value& value) {
    if (at == path.size()) return value;
    const Value& key = path[at];
    if (input.is_array() && key.is_object()) {
        const Value part = index_value(input, key);
        return set_slice(input, key, set_path_from(part, path, at + 1, value));
    }
    if (input.is_null() && key.is_object()) {
        return set_slice(Value::array({}), key,
                         set_path_from(Value(), path, at + 1, value));
    }
    const Value child = input.is_null() ? Value() : index_value(input, key);
    Value container = input;
    if (input.is_null()) {
        if (key.is_string()) {
            container = Value::object({});
        } else if (key.is_number()) {
            container = Value::array({});
        } else {
            raise("Cannot index null with " + std::string(kind_name(key.kind())));
        }
    }
    return set_member(container, key, set_path_from(child, path, at + 1, value));
}

void stream_events(const Value& v, Array& path, std::vector<Value>& events) {
    const bool container = (v.is_array() && !v.as_array().empty()) ||
                           (v.is_object() && !v.as_object().empty());
    if (!container) {
        events.push_back(Value::array({Value::array(path), v}));
        return;
    }
    Value last_key;
    if (v.is_array()) {
        const Array& items = v.as_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            last_key = Value::number(static_cast<double>(i));
            path.push_back(last_key);
            stream_events(items[i], path, events);
            path.pop_back();
        }
    } else {
        for (const auto& [key, member] : v.as_object()) {
            last_key = Value::string(key);
            path.push_back(last_key);
            stream_events(member, path, events);
            path.pop_back();
        }
    }
    Array closing = path;
    closing.push_back(last_key);
    events.push_back(Value::array({Value::array(std::move(closing))}));
}

}  // namespace

Value get_path(const Value& input, const Value& path) {
    if (!path.is_array()) raise("Path must be specified as an array");
    return get_path_from(input, path.as_array(), 0);
}

Value set_path(const Value& input, const Value& path, const Value& value) {
    if (!path.is_array()) raise("Path must be specified as an array");
    return set_path_from(input, path.as_array(), 0, value);
}

Value delete_paths_value(const Value& input, const Value& paths) {
    if (!paths.is_array()) raise("Paths must be specified as an array");
    std::vector<Array> list;
    for (const Value& path : paths.as_array()) {
        if (!path.is_array()) raise("Path must be specified as an array");
        list.push_back(path.as_array());
    }
    return delete_paths(input, std::move(list));
}

void to_stream(const Value& input, std::vector<Value>& events) {
    Array path;
    stream_events(input, path, events);
}

}  // namespace kpipe::filter
