#pragma once
// The general path's JSON value: immutable, cheap to copy (payloads are shared), objects keep
// insertion order like jq's.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpipe::filter {

// Declaration order is jq's sort order across types: null < false < true < numbers < strings <
// arrays < objects.
enum class Kind : std::uint8_t { null, false_, true_, number, string, array, object };

// jq's name for a kind ("boolean" for both true and false), as used in its error messages.
std::string_view kind_name(Kind kind);

class Value;
class Object;
using Array = std::vector<Value>;

class Value {
  public:
    Value() = default;  // null

    static Value boolean(bool b);
    static Value number(double d);
    // A number read from the input: `text` is printed instead of jq's reformatting while the
    // value passes through unchanged (see filter.hpp).
    static Value number(double d, std::string_view text);
    static Value string(std::string s);
    static Value array(Array items);
    static Value object(Object members);

    Kind kind() const { return kind_; }
    bool is_null() const { return kind_ == Kind::null; }
    bool is_number() const { return kind_ == Kind::number; }
    bool is_string() const { return kind_ == Kind::string; }
    bool is_array() const { return kind_ == Kind::array; }
    bool is_object() const { return kind_ == Kind::object; }
    // jq's truthiness: everything but null and false.
    bool truthy() const { return kind_ != Kind::null && kind_ != Kind::false_; }

    double as_number() const { return number_; }
    // Original text of an input number; empty for computed numbers.
    std::string_view number_text() const;
    const std::string& as_string() const;
    const Array& as_array() const;
    const Object& as_object() const;
    // The shared payload: two values with the same identity are the very same string, array or
    // object (jq's notion of identical, which path expressions rely on).
    const void* identity() const { return payload_.get(); }

  private:
    Kind kind_ = Kind::null;
    double number_ = 0;
    std::shared_ptr<const void> payload_;  // std::string, Array or Object by kind_
};

// Insertion-ordered string-keyed map. Setting an existing key replaces its value in place, so
// duplicate keys keep the first position and the last value, as in jq.
class Object {
  public:
    using Member = std::pair<std::string, Value>;

    const Value* find(std::string_view key) const;
    void set(std::string key, Value value);
    bool erase(std::string_view key);

    std::size_t size() const { return members_.size(); }
    bool empty() const { return members_.empty(); }
    auto begin() const { return members_.begin(); }
    auto end() const { return members_.end(); }
    void reserve(std::size_t n) { members_.reserve(n); }

  private:
    std::size_t find_index(std::string_view key) const;  // npos when absent
    void rebuild_index();

    std::vector<Member> members_;
    // Open-addressing hash of member positions (+1; 0 = empty), only for larger objects.
    std::vector<std::uint32_t> index_;
};

}  // namespace kpipe::filter
