#pragma once
// Options every subcommand accepts, before or after its name, and the one place where an
// error becomes a stderr line and an exit code.

#include <CLI/CLI.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "config/settings.hpp"

namespace kpipe::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
    std::optional<std::string> brokers;
    std::vector<std::string> properties;
    std::optional<std::string> config_file;
    std::optional<std::string> profile;
    int verbosity = 0;
    bool quiet = false;
    std::string log_format = "text";
    double timeout_seconds = 10;
    std::optional<std::string> metrics;  // --metrics HOST:PORT

    std::chrono::milliseconds timeout() const {
        return std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000));
    }
};

void add_global_options(CLI::App& app, GlobalOptions& options);

// Sends log lines to stderr as "kpipe SUBCOMMAND: message" (or JSON objects with
// --log-format json) at the level -v/-q ask for.
void configure_logging(const GlobalOptions& options, const std::string& subcommand);

// The settings file (if any), to find pipelines and profiles.
Expected<std::optional<config::Settings>> load_settings(const GlobalOptions& options);

// Brokers and client properties after layering defaults, profile, environment and flags.
Expected<config::ClientSettings> client_settings(const GlobalOptions& options);

// Prints the error as one line and returns its exit code.
int report(const Error& error);

// What a subcommand's callback leaves for main() to return.
struct CommandResult {
    int exit_code = kExitOk;
};

}  // namespace kpipe::cli
