#pragma once
// Secret references let a property value name where a secret lives instead of holding it, so
// passwords never have to appear on argv (visible in `ps`) or in a shared settings file:
//   "@/path/to/file"  the file's contents, one trailing newline (\n or \r\n) trimmed
//   "env:NAME"        the value of environment variable NAME (an error when unset)
//   "@@text"          the literal "@text", for the rare value that really starts with '@'
// Anything else is taken literally.

#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "config/environment.hpp"

namespace kpipe::config {

// Errors name the reference (a path or a variable name), never the secret itself.
Expected<std::string> resolve_secret_reference(std::string_view value, const Environment& env);

// True for properties whose values must never be printed or logged (names are matched
// case-insensitively): passwords, secrets, tokens, private keys and JAAS/OAUTHBEARER configs.
bool is_secret_property(std::string_view name);

// "[redacted]" for a secret property, otherwise the value itself.
std::string redacted_value(std::string_view name, std::string_view value);

}  // namespace kpipe::config
