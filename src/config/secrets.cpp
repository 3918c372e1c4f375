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

// Secret properties whose names hold none of the secret words.
constexpr std::array<std::string_view, 5> secret_names = {
    "sasl.oauthbearer.config", "ssl.key.pem",      "sasl.jaas.config",
    "ssl.keystore.password",   "ssl.key.password",
};
constexpr std::string_view redacted = "[redacted]";
constexpr std::size_t shortest_secret_text = 4;

// Properties holding several "name=value" settings in one string.
bool is_multi_setting_property(std::string_view lowered_name) {
    return lowered_name == "sasl.oauthbearer.config" || lowered_name == "sasl.jaas.config";
}

void add_secret_text(std::string_view text, std::vector<std::string>& texts) {
    // Trim quotes and separators a parser would not echo (JAAS values are quoted, end in ';').
    while (!text.empty() &&
           std::string_view(" \t\"';").find(text.back()) != std::string_view::npos) {
        text.remove_suffix(1);
    }
    while (!text.empty() &&
           std::string_view(" \t\"'").find(text.front()) != std::string_view::npos) {
        text.remove_prefix(1);
    }
    if (text.size() < shortest_secret_text) return;
    if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.emplace_back(text);
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
    if (is_secret_property(name)) return std::string(redacted);
    return std::string(value);
}

std::vector<std::string> secret_texts(
    const std::vector<std::pair<std::string, std::string>>& properties) {
    std::vector<std::string> texts;
    for (const auto& [name, value] : properties) {
        if (!is_secret_property(name)) continue;
        add_secret_text(value, texts);
        if (!is_multi_setting_property(lowercase(name))) continue;
        std::size_t equals = value.find('=');
        while (equals != std::string::npos) {
            const std::size_t end = value.find_first_of(" \t\n", equals);
            add_secret_text(std::string_view(value).substr(equals + 1, end - equals - 1), texts);
            equals = value.find('=', equals + 1);
        }
    }
    // Longest first, so that a secret containing another is replaced whole.
    std::stable_sort(texts.begin(), texts.end(), [](const std::string& a, const std::string& b) {
        return a.size() > b.size();
    });
    return texts;
}

std::string scrub_secret_texts(std::string_view text, const std::vector<std::string>& secrets) {
    std::string result(text);
    for (const std::string& secret : secrets) {
        if (secret.empty()) continue;
        for (std::size_t at = result.find(secret); at != std::string::npos;
             at = result.find(secret, at + redacted.size())) {
            result.replace(at, secret.size(), redacted);
        }
    }
    return result;
}

std::string redact_secret_property_details(std::string_view message) {
    const std::string lowered = lowercase(message);
    std::size_t cut = std::string::npos;
    for (std::string_view name : {"sasl.oauthbearer.config", "sasl.jaas.config"}) {
        const std::size_t named = lowered.find(name);
        if (named == std::string::npos) continue;
        const std::size_t colon = lowered.find(": ", named + name.size());
        if (colon != std::string::npos) cut = std::min(cut, colon + 2);
    }
    if (cut == std::string::npos) return std::string(message);
    return std::string(message.substr(0, cut)) + std::string(redacted);
}

}  // namespace kpipe::config
