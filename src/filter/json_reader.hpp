#pragma once
// Reading one record's JSON document with simdjson On-Demand. On-Demand only validates what it is
// asked for, so both the general path (which builds a Value) and the fast path walk every value
// and check scalars with the helpers here: a record is valid for one path iff it is for the other.

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "filter/value.hpp"

namespace kpipe::filter {

// jq 1.6 refuses input nested deeper than this ("Exceeds depth limit for parsing").
inline constexpr int max_input_depth = 256;

inline bool is_json_whitespace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// On-Demand's raw tokens run up to the next structural character, trailing whitespace included.
std::string_view trim_trailing_whitespace(std::string_view token);

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view text);

// Value of a grammatical number; out-of-range magnitudes become +-infinity or +-0 like strtod.
double parse_json_number(std::string_view text);

// Checks a scalar's raw token (trimmed) for the kind On-Demand reported from its first byte.
// Strings are checked by unescaping (simdjson validates escapes); this covers the others.
bool is_valid_atom(simdjson::ondemand::json_type type, std::string_view token);

// Reads the whole document (exactly one JSON value, whitespace around it allowed) into `out`.
// Returns a one-line message for anything that is not valid JSON. `json` must be padded.
std::optional<std::string> read_document(simdjson::ondemand::parser& parser,
                                         simdjson::padded_string_view json, Value& out);

}  // namespace kpipe::filter
