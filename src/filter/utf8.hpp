#pragma once
// UTF-8 encoding and validation (RFC 3629), shared by the lexer and the builtins.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kpipe::filter {

void append_utf8(std::uint32_t codepoint, std::string& out);

// Length of the well-formed sequence at text[at] (no overlong forms, surrogates or code points
// past U+10FFFF), or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

// Offset of the first byte that does not start a well-formed sequence, or npos.
std::size_t first_invalid_utf8(std::string_view text);

// `bytes` with every byte that starts no well-formed sequence replaced by U+FFFD, as jq does.
std::string replace_invalid_utf8(std::string_view bytes);

}  // namespace kpipe::filter
