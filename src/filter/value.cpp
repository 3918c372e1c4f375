#include "filter/value.hpp"

#include <functional>

namespace kpipe::filter {

namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);
// Below this many members a linear scan beats hashing.
constexpr std::size_t index_threshold = 12;

const std::string& empty_string() {
    static const std::string empty;
    return empty;
}

std::size_t hash_key(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

}  // namespace

std::string_view kind_name(Kind kind) {
    switch (kind) {
        case Kind::null:
            return "null";
        case Kind::false_:
        case Kind::true_:
            return "boolean";
        case Kind::number:
            return "number";
        case Kind::string:
            return "string";
        case Kind::array:
            return "array";
        case Kind::object:
            return "object";
    }
    return "null";
}

Value Value::boolean(bool b) {
    Value v;
    v.kind_ = b ? Kind::true_ : Kind::false_;
    return v;
}

Value Value::number(double d) {
    Value v;
    v.kind_ = Kind::number;
    v.number_ = d;
    return v;
}

Value Value::number(double d, std::string_view text) {
    Value v = number(d);
    v.payload_ = std::make_shared<const std::string>(text);
    return v;
}

Value Value::string(std::string s) {
    Value v;
    v.kind_ = Kind::string;
    v.payload_ = std::make_shared<const std::string>(std::move(s));
    return v;
}

Value Value::array(Array items) {
    Value v;
    v.kind_ = Kind::array;
    v.payload_ = std::make_shared<const Array>(std::move(items));
    return v;
}

Value Value::object(Object members) {
    Value v;
    v.kind_ = Kind::object;
    v.payload_ = std::make_shared<const Object>(std::move(members));
    return v;
}

std::string_view Value::number_text() const {
    if (kind_ != Kind::number || !payload_) return {};
    return *static_cast<const std::string*>(payload_.get());
}

const std::string& Value::as_string() const {
    if (kind_ != Kind::string) return empty_string();
    return *static_cast<const std::string*>(payload_.get());
}

const Array& Value::as_array() const {
    static const Array empty;
    if (kind_ != Kind::array) return empty;
    return *static_cast<const Array*>(payload_.get());
}

const Object& Value::as_object() const {
    static const Object empty;
    if (kind_ != Kind::object) return empty;
    return *static_cast<const Object*>(payload_.get());
}

std::size_t Object::find_index(std::string_view key) const {
    if (index_.empty()) {
        for (std::size_t i = 0; i < members_.size(); ++i) {
            if (members_[i].first == key) return i;
        }
        return npos;
    }
    const std::size_t mask = index_.size() - 1;
    for (std::size_t slot = hash_key(key) & mask;; slot = (slot + 1) & mask) {
        const std::uint32_t entry = index_[slot];
        if (entry == 0) return npos;
        if (members_[entry - 1].first == key) return entry - 1;
    }
}

void Object::rebuild_index() {
    index_.clear();
    if (members_.size() < index_threshold) return;
    std::size_t capacity = 16;
    while (capacity < members_.size() * 2) capacity *= 2;
    index_.assign(capacity, 0);
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < members_.size(); ++i) {
        std::size_t slot = hash_key(members_[i].first) & mask;
        while (index_[slot] != 0) slot = (slot + 1) & mask;
        index_[slot] = static_cast<std::uint32_t>(i + 1);
    }
}

const Value* Object::find(std::string_view key) const {
    const std::size_t i = find_index(key);
    return i == npos ? nullptr : &members_[i].second;
}

void Object::set(std::string key, Value value) {
    const std::size_t i = find_index(key);
    if (i != npos) {
        members_[i].second = std::move(value);
        return;
    }
    members_.emplace_back(std::move(key), std::move(value));
    if (members_.size() >= index_threshold && members_.size() * 2 > index_.size()) {
        rebuild_index();
    } else if (!index_.empty()) {
        const std::size_t mask = index_.size() - 1;
        std::size_t slot = hash_key(members_.back().first) & mask;
        while (index_[slot] != 0) slot = (slot + 1) & mask;
        index_[slot] = static_cast<std::uint32_t>(members_.size());
    }
}

bool Object::erase(std::string_view key) {
    const std::size_t i = find_index(key);
    if (i == npos) return false;
    members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
    rebuild_index();
    return true;
}

}  // namespace kpipe::filter
