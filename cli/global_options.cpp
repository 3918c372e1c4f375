#include "global_options.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "config/environment.hpp"
#include "config/secrets.hpp"
#include "log/structured_log.hpp"

namespace kpipe::cli {

void add_global_options(CLI::App& app, GlobalOptions& options) {
    const std::string group = "Global options (before or after the subcommand)";
    app.add_option("-b,--brokers", options.brokers,
                   "Bootstrap brokers HOST:PORT[,...] (env KPIPE_BROKERS; default localhost:9092)")
        ->group(group);
    app.add_option("-X,--property", options.properties,
                   "librdkafka property KEY=VALUE (repeatable); VALUE may be @FILE or env:NAME "
                   "to keep secrets off the command line")
        ->group(group);
    app.add_option("-F,--config", options.config_file,
                   "Settings file (default: $KPIPE_CONFIG, ./kpipe.toml, "
                   "$XDG_CONFIG_HOME/kpipe/kpipe.toml)")
        ->group(group);
    app.add_option("--profile", options.profile,
                   "Settings profile to use (env KPIPE_PROFILE; default: the file's "
                   "default_profile)")
        ->group(group);
    app.add_flag("-v,--verbose", options.verbosity, "More detail on stderr (repeat for more)")
        ->group(group);
    app.add_flag("-q,--quiet", options.quiet, "Only errors on stderr")->group(group);
    app.add_option("--log-format", options.log_format,
                   "Log lines on stderr as text or as one JSON object per line (time, level, "
                   "subcommand, message, topic/partition/offset/error when known)")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str()
        ->group(group);
    app.add_option("--timeout", options.timeout_seconds,
                   "Seconds to wait for the brokers and for each record's acknowledgement")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(group);
    app.add_option("--metrics", options.metrics,
                   "Serve Prometheus metrics, /healthz and /readyz on HOST:PORT while produce, "
                   "consume, transform or replay-dlq runs (PORT alone binds 127.0.0.1)")
        ->group(group);
}

void configure_logging(const GlobalOptions& options, const std::string& subcommand) {
    auto level = spdlog::level::warn;
    if (options.quiet) level = spdlog::level::err;
    if (options.verbosity == 1) level = spdlog::level::info;
    if (options.verbosity == 2) level = spdlog::level::debug;
    if (options.verbosity >= 3) level = spdlog::level::trace;
    log::configure(log::parse_format(options.log_format).value_or(log::Format::text), subcommand,
                   level);
}

Expected<std::optional<config::Settings>> load_settings(const GlobalOptions& options) {
    const auto environment = config::process_environment();
    auto path = config::locate_settings_file(options.config_file, environment,
                                             std::filesystem::current_path());
    if (!path) return path.error();
    if (!*path) return std::optional<config::Settings>{};
    auto settings = config::load_settings_file(**path);
    if (!settings) return settings.error();
    return std::optional<config::Settings>{std::move(*settings)};
}

Expected<config::ClientSettings> client_settings(const GlobalOptions& options) {
    auto settings = load_settings(options);
    if (!settings) return settings.error();
    config::CommandLineSettings command_line{options.brokers, options.properties, options.profile};
    auto resolved = config::resolve_client_settings(*settings ? &**settings : nullptr, command_line,
                                                    config::process_environment());
    if (!resolved) return resolved.error();
    // Whatever quotes a secret later (a librdkafka error, a parser's complaint) is scrubbed
    // on its way to stderr.
    if (auto secrets = config::secret_texts(resolved->properties); !secrets.empty()) {
        log::set_scrubber([secrets = std::move(secrets)](std::string_view text) {
            return config::scrub_secret_texts(text, secrets);
        });
    }
    spdlog::debug("client settings:\n{}", resolved->describe());
    return resolved;
}

int report(const Error& error) {
    const int exit_code = error.kind == ErrorKind::usage ? kExitUsage : kExitFailure;
    log::write(spdlog::level::err, error.message, {{"exit_code", std::int64_t{exit_code}}});
    return exit_code;
}

}  // namespace kpipe::cli
