#pragma once
// jq 1.6's operations on values: ordering, arithmetic, indexing and the supported functions, with
// its error messages. Runtime errors are thrown as FilterError and caught by `?` or by the Filter.

#include <string>
#include <string_view>
#include <vector>

#include "filter/ast.hpp"
#include "filter/value.hpp"

namespace kpipe::filter {

// A jq runtime error. The payload is what error(v) raised; jq's own errors carry a string.
struct FilterError {
    Value payload;
};

[[noreturn]] void raise(std::string message);

// "<kind> (<value cut to 14 bytes>)", how jq names a value in most messages.
std::string kind_and_value(const Value& value);

// The message jq prints after "jq: error (at <file>:N)": the string itself, or
// "(not a string): <json>" for other payloads.
std::string error_message(const Value& payload);

// jq's jv_identical: the same null/true/false, a bit-identical number, or the very same string,
// array or object (not merely an equal one).
bool identical(const Value& a, const Value& b);

// jq's total order (null < false < true < numbers < strings < arrays < objects); <0, 0, >0.
int compare(const Value& a, const Value& b);
int compare_arrays(const Array& a, const Array& b);
// jq's ==: numbers compare as doubles (so NaN != NaN), everything else by compare().
bool equals(const Value& a, const Value& b);

Value apply_binary(BinaryOp op, const Value& lhs, const Value& rhs);
Value negate(const Value& value);

// jq's .[key] (jv_get): objects by string, arrays by number (negative from the end, non-integer
// gives null), array-in-array positions, {"start","end"} slices, null for null input.
Value index_value(const Value& target, const Value& key);

// jq's error for .[] on a value that is neither an array nor an object.
[[noreturn]] void raise_cannot_iterate(const Value& value);

Value length_of(const Value& value);
Value keys_of(const Value& value);
Value has_key(const Value& container, const Value& key);
Value type_of(const Value& value);
Value to_string(const Value& value);
Value to_number(const Value& value);
Value ascii_case(const Value& value, bool upper);
Value starts_with(const Value& value, const Value& prefix);
Value ends_with(const Value& value, const Value& suffix);
Value trim_prefix(const Value& value, const Value& prefix);
Value trim_suffix(const Value& value, const Value& suffix);
Value to_date(const Value& value);
Value from_date(const Value& value);

// jq's delpaths: deletes every path (an array of keys) from `input`, longest paths first.
Value delete_paths(const Value& input, std::vector<Array> paths);

// Number of Unicode code points in valid UTF-8.
std::size_t codepoint_count(std::string_view text);

}  // namespace kpipe::filter
