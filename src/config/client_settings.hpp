#pragma once
// The final Kafka client settings, layered from lowest to highest precedence:
//   1. the built-in default brokers, localhost:9092 (where `kpipe broker` is usually reached)
//   2. the selected profile's brokers and properties
//   3. $KPIPE_BROKERS
//   4. -b and -X (in order; a later -X wins)
// The profile is --profile, else $KPIPE_PROFILE, else the file's default_profile, else a profile
// named "default" if there is one, else none. `--profile ''` explicitly selects none.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/environment.hpp"
#include "config/settings.hpp"

namespace kpipe::config {

inline constexpr std::string_view default_brokers = "localhost:9092";

// The `{}` initializers let callers name any subset with designated initializers
// ({.profile = "prod"}) without tripping -Wmissing-field-initializers.
struct CommandLineSettings {
    std::optional<std::string> brokers{};   // -b
    std::vector<std::string> properties{};  // -X KEY=VALUE, in order
    std::optional<std::string> profile{};   // --profile
};

struct ClientSettings {
    std::string brokers;
    // Secret references resolved; in application order, later entries win. bootstrap.servers
    // never appears here: it is folded into `brokers` at its layer.
    std::vector<std::pair<std::string, std::string>> properties;
    std::optional<std::string> profile;  // the selected profile's name, if any
    std::string profile_origin;          // why it was selected, e.g. "--profile"
    std::string brokers_origin;          // e.g. "built-in default", "profile 'prod'", "-b"

    // A multi-line human-readable dump for -v, with secret values redacted.
    std::string describe() const;
};

// `settings` is null when no settings file was found. Errors name the offending option or
// property and never contain a secret value.
Expected<ClientSettings> resolve_client_settings(const Settings* settings,
                                                 const CommandLineSettings& command_line,
                                                 const Environment& env);

}  // namespace kpipe::config
