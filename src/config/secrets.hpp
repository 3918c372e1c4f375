#pragma once
// Secret references let a property value name where a secret lives instead of holding it, so
// passwords never have to appear on argv (visible in `ps`) or in a shared settings file:
//   "@/path/to/file"  the file's contents, one trailing newline (\n or \r\n) trimmed
//   "env:NAME"        the value of environment variable NAME (an error when unset)
//   "@@text"          the literal "@text", for the rare value that really starts with '@'
// Anything else is taken literally.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// The texts that must not appear in any message once `properties` (resolved) are in use: each
// secret property's value, and for the configs that hold several settings
// (sasl.oauthbearer.config, sasl.jaas.config) each value after a '=' too, since a parser's error
// may quote one alone. Texts shorter than 4 characters are left out: hiding every "ab" in every
// line would make logs unreadable and protects nothing.
std::vector<std::string> secret_texts(
    const std::vector<std::pair<std::string, std::string>>& properties);

// `text` with each of `secrets` replaced by "[redacted]".
std::string scrub_secret_texts(std::string_view text, const std::vector<std::string>& secrets);

// For librdkafka's messages, whose parsers of the multi-setting configs quote what they reject
// ("Invalid sasl.oauthbearer.config: non-integral 'lifeSeconds=': ..."): everything after the
// first ": " that follows sasl.oauthbearer.config or sasl.jaas.config becomes "[redacted]".
std::string redact_secret_property_details(std::string_view message);

}  // namespace kpipe::config
