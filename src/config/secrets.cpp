#include "config/secrets.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace kpipe::config {
namespace {

constexpr std::string_view file_prefix = "@";
constexpr std::string_view escaped_file_prefix = "@@";
constexpr std::string_view env_prefix = "env:";

Expected<std::string> read_secret_file(std::string_view path) {
    if (path.empty()) {
        return usage_error("secret reference '@' names no file; write @/path/to/file");
    }
    std::ifstream file{std::string(path), std::ios::binary};
    if (!file) {
        return Error{"cannot read secret file '" + std::string(path) +
                     "': " + std::strerror(errno)};
    }
    std::string contents{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (file.bad()) {
        return Error{"cannot read secret file '" + std::string(path) +
                     "': " + std::strerror(errno)};
    }
    // Editors and `echo` add a final newline that is not part of the secret.
    if (contents.ends_with("\r\n")) {
        contents.resize(contents.size() - 2);
    } else if (contents.ends_with('\n')) {
        contents.pop_back();
    }
    return contents;
}

Expected<std::string> read_secret_variable(std::string_view name, const Environment& env) {
    if (name.empty()) {
        return usage_error("secret reference 'env:' names no variable; write env:NAME");
    }
    auto value = env(name);
    if (!value) {
        return Error{"environment variable " + std::string(name) +
                     " is not set (referenced as 'env:" + std::string(name) + "')"};
    }
    return std::move(*value);
}

std::string lowercase(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

}  // namespace

Expected<std::string> resolve_secret_reference(std::string_view value, const Environment& env) {
    if (value.starts_with(escaped_file_prefix)) return std::string(value.substr(1));
    if (value.starts_with(file_prefix)) return read_secret_file(value.substr(file_prefix.size()));
    if (value.starts_with(env_prefix)) {
        return read_secret_variable(value.substr(env_prefix.size()), env);
    }
    return std::string(value);
}

bool is_secret_property(std::string_view name) {
    static constexpr std::array<std::string_view, 5> secret_names = {
        "sasl.oauthbearer.config", "ssl.key.pem",      "sasl.jaas.config",
        "ssl.keystore.password",   "ssl.key.password",
    };
    static constexpr std::array<std::string_view, 3> secret_words = {"password", "secret", "token"};
    const std::string lowered = lowercase(name);
    if (std::find(secret_names.begin(), secret_names.end(), lowered) != secret_names.end()) {
        return true;
    }
    return std::any_of(secret_words.begin(), secret_words.end(), [&](std::string_view word) {
        return lowered.find(word) != std::string::npos;
    });
}

std::string redacted_value(std::string_view name, std::string_view value) {
    if (is_secret_property(name)) return "[redacted]";
    return std::string(value);
}

}  // namespace kpipe::config
