#pragma once
// The settings file (TOML): connection profiles, one per cluster, and named pipelines, so a
// production transform is a short command and its SASL/TLS settings live in one place.
//
//   default_profile = "local"
//   [profiles.local]
//   brokers = "localhost:9092"
//   [profiles.local.properties]
//   "linger.ms" = 5
//   [pipelines.login]
//   in = "user-login"
//   out = "processed-login"
//   filter = "{user_id, locale, timestamp}"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/environment.hpp"

namespace kpipe::config {

struct Profile {
    std::string name;
    std::optional<std::string> brokers;
    // librdkafka properties in file order; values may still be secret references.
    std::vector<std::pair<std::string, std::string>> properties;
};

struct Pipeline {
    std::string name;
    std::string in;
    std::string out;
    std::optional<std::string> filter;
    std::optional<std::string> dlq;
    std::optional<std::string> group;
};

struct Settings {
    std::string origin;  // the file's path, for messages
    std::optional<std::string> default_profile;
    std::vector<Profile> profiles;    // in file order
    std::vector<Pipeline> pipelines;  // in file order; no two share an in/out pair

    const Profile* find_profile(std::string_view name) const;
    const Pipeline* find_pipeline(std::string_view in, std::string_view out) const;
    // "local, prod", or "none", for error messages that list the choices.
    std::string profile_names() const;
};

// Errors carry "<origin>:<line>:<column>: " and name the offending key; unknown keys are errors
// so that typos do not silently fall back to defaults.
Expected<Settings> parse_settings(std::string_view toml_text, std::string_view origin);

Expected<Settings> load_settings_file(const std::filesystem::path& path);

// Looks for the settings file: the -F path if given (it must exist), else $KPIPE_CONFIG (it
// must exist), else working_dir/kpipe.toml, else $XDG_CONFIG_HOME/kpipe/kpipe.toml (XDG default
// $HOME/.config). Relative paths are taken from working_dir. nullopt when no file is found and
// none was asked for.
Expected<std::optional<std::filesystem::path>> locate_settings_file(
    const std::optional<std::string>& explicit_path, const Environment& env,
    const std::filesystem::path& working_dir);

}  // namespace kpipe::config
