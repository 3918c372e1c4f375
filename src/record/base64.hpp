#pragma once
// Standard base64 (RFC 4648 alphabet, '=' padded): how the envelope carries bytes that are not
// UTF-8 text.

#include <string>
#include <string_view>

namespace kpipe::record {

// Appends the base64 encoding of `bytes` to `out`.
void append_base64(std::string_view bytes, std::string& out);

// Clears `out` and fills it with the bytes `text` encodes. Returns false (with `out` cleared)
// unless `text` is padded standard base64 with no whitespace; unused low bits of the last
// character are ignored, as most decoders do.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace kpipe::record
