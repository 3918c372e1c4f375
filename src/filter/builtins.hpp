#pragma once
// jq's operations on values: ordering, arithmetic, indexing and the native builtins, with its
// error messages, grouped by family (the families live in their own files). Runtime errors are thrown as FilterError and caught by `?` or by the Filter.

#include <cstdint>
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

// C's double-to-integer conversions as x86-64 performs them (jq relies on them): truncation,
// with NaN and out-of-range values becoming the minimum integer.
int to_int(double d);
std::int64_t to_int64(double d);

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

// jq's jv_set: container with `key` set to `member` (objects by string, arrays by number,
// growing with nulls).
Value set_member(const Value& container, const Value& key, Value member);

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
// Byte offset of code point `index` (or text.size()).
std::size_t byte_offset_of_codepoint(std::string_view text, std::size_t index);

// --- paths (paths.cpp) -------------------------------------------------------------------------
// getpath/setpath/delpaths with jq's errors; a path is an array of keys.
Value get_path(const Value& input, const Value& path);
Value set_path(const Value& input, const Value& path, const Value& value);
Value delete_paths_value(const Value& input, const Value& paths);
// tostream's events, in order: [[path], leaf] and closing [[path]].
void to_stream(const Value& input, std::vector<Value>& events);

// --- collections (collections.cpp) -----------------------------------------------------------
Value keys_unsorted_of(const Value& value);
Value add_values(const Value& value);
Value sort_value(const Value& value);
// The _impl halves of sort_by/group_by/unique_by/min_by/max_by: `keys` is map([f]).
Value sort_by_keys(const Value& input, const Value& keys);
Value group_by_keys(const Value& input, const Value& keys);
Value unique_by_keys(const Value& input, const Value& keys);
Value extreme_by_keys(const Value& input, const Value& keys, bool max);
Value extreme_value(const Value& input, bool max);
Value unique_value(const Value& input);
bool contains_value(const Value& a, const Value& b);
Value indices_of(const Value& input, const Value& i);

// --- strings (strings.cpp) ---------------------------------------------------------------------
Value explode_string(const Value& value);
Value implode_array(const Value& value);
Value split_by(const Value& value, const Value& separator);
Value utf8_byte_length(const Value& value);
Value trim_whitespace(const Value& value, bool left, bool right);
Value from_json(const Value& value);

// --- formats (formats.cpp): @text @json @html @uri @csv @tsv @sh @base64 @base64d @base32 ...
bool is_format_name(std::string_view name);
std::string_view format_names();
Value apply_format(std::string_view name, const Value& value);

// --- math (math.cpp): the libm functions jq exposes, by name; args are $a, $b, $c.
Value apply_math(std::string_view name, const Value& input, const Value* args, std::size_t n);

// --- dates (dates.cpp) -------------------------------------------------------------------------
Value now_value();
Value mktime_value(const Value& value);
Value gmtime_value(const Value& value, bool local);
Value strftime_value(const Value& value, const Value& format, bool local);
Value strptime_value(const Value& value, const Value& format);

}  // namespace kpipe::filter
