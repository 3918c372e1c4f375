#pragma once
// JSON text exactly as `jq -c` (jq 1.6) prints it.

#include <cstddef>
#include <string>
#include <string_view>

#include "filter/value.hpp"

namespace kpipe::filter {

// Appends compact JSON. Input numbers that kept their original text print that text.
void write_json(const Value& value, std::string& out);
std::string to_json(const Value& value);

// A string literal with jq's escaping: \" \\ \b \f \n \r \t, other control characters and DEL as
// \u00XX (lowercase hex), everything else (including non-ASCII UTF-8) verbatim.
void write_json_string(std::string_view text, std::string& out);

// A double as jq 1.6 prints it: shortest round-trip digits, exponent form ("1e+17", "1e-05")
// outside the range jq prints plainly, NaN as null, infinities as +-1.7976931348623157e+308.
void write_json_number(double number, std::string& out);

// jq's jv_dump_string_trunc: the compact JSON cut to buffer_size - 1 bytes, ending in "..." when
// cut. jq's error messages quote values this way.
std::string dump_truncated(const Value& value, std::size_t buffer_size);

}  // namespace kpipe::filter
