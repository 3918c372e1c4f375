#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>

#include "commands.hpp"
#include "common/signals.hpp"
#include "log/structured_log.hpp"
#include "monitoring.hpp"
#include "replay/record_time.hpp"
#include "replay/replay_dlq.hpp"

namespace kpipe::cli {
namespace {

void print_summary(const replay::ReplaySummary& summary, bool dry_run, bool quiet) {
    if (quiet) return;
    log::summary(
        fmt::format("kpipe replay-dlq{}: read {}, {} {}, skipped {} ({} filter errors), "
                    "over the replay limit {}, unroutable {}, {:.2f}s{}",
                    dry_run ? " (dry run)" : "", summary.read,
                    dry_run ? "would replay" : "replayed", summary.replayed, summary.skipped,
                    summary.filter_errors, summary.over_limit, summary.unroutable, summary.seconds,
                    summary.interrupted ? " (stopped by signal)" : ""),
        {{"dry_run", dry_run},
         {"read", summary.read},
         {"replayed", summary.replayed},
         {"skipped", summary.skipped},
         {"filter_errors", summary.filter_errors},
         {"over_limit", summary.over_limit},
         {"unroutable", summary.unroutable},
         {"seconds", summary.seconds},
         {"interrupted", summary.interrupted}});
}

// Options CLI11 cannot check by itself; all before connecting.
Status check_options(replay::ReplayOptions& replay, const std::optional<std::string>& since,
                     const std::optional<std::string>& until) {
    if (since) {
        auto parsed = replay::parse_time(*since, "--since");
        if (!parsed) return parsed.error();
        replay.since_ms = *parsed;
    }
    if (until) {
        auto parsed = replay::parse_time(*until, "--until");
        if (!parsed) return parsed.error();
        replay.until_ms = *parsed;
    }
    if (replay.rate && !(std::isfinite(*replay.rate) && *replay.rate > 0)) {
        return usage_error("--rate must be a positive number of records per second");
    }
    if (replay.dry_run && replay.follow) {
        return usage_error("--dry-run reports what is in the topic now; drop --follow");
    }
    if (replay.to && replay.to->empty()) return usage_error("--to needs a topic name");
    return ok();
}

}  // namespace

void add_replay_dlq_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result) {
    auto* command = app.add_subcommand(
        "replay-dlq",
        "Send dead-lettered records back to the topic they came from (from kpipe's, Kafka\n"
        "Connect's, Kafka Streams' or Spring Kafka's dead-letter headers) or to --to,\n"
        "optionally through a jq filter that repairs the value. Progress is committed in a\n"
        "consumer group after the replayed records are acknowledged, so a second run replays\n"
        "nothing twice; a kpipe-replay-count header stops a poison record from looping.\n"
        "Exits once caught up (or runs on with -f); prints a summary.");
    struct Options {
        filter::FilterArgumentOptions arguments;
        replay::ReplayOptions replay;
        std::optional<std::string> since;
        std::optional<std::string> until;
    };
    auto options = std::make_shared<Options>();
    add_filter_argument_options(*command, options->arguments);
    auto& replay = options->replay;
    command->add_option("--dlq", replay.dlq, "The dead-letter topic to read")->required();
    command->add_option("filter", replay.filter,
                        "jq filter that repairs the value; each output is replayed, no output "
                        "skips the record (see kpipe-replay-dlq(1))");
    command->add_option("--to", replay.to, "Send every record to this topic instead of its origin");
    command->add_option("--where", replay.where,
                        "jq filter on the value: replay only records for which its first "
                        "output is neither false nor null");
    command->add_flag("--same-partition", replay.same_partition,
                      "Send each record to its original partition (default: the partitioner "
                      "decides by key)");
    command->add_flag("--dry-run", replay.dry_run,
                      "Print how many records would go where, grouped by target and error "
                      "message; produce and commit nothing");
    command->add_option("--max", replay.max, "Stop after N replayed records");
    command->add_option("--rate", replay.rate, "Replay at most R records per second");
    command->add_option("--since", options->since,
                        "Only records with a timestamp at or after TIME (epoch ms or ISO-8601, "
                        "e.g. 2026-11-27T10:00:00Z)");
    command->add_option("--until", options->until, "Only records with a timestamp before TIME");
    command->add_option("--error-contains", replay.error_contains,
                        "Only records whose error message contains this text");
    command
        ->add_option("--max-replays", replay.max_replays,
                     "Leave records in place that were replayed this often already")
        ->capture_default_str();
    command->add_flag("--keep-headers", replay.keep_headers,
                      "Keep the dead-letter error headers on the replayed records");
    command->add_option("-g,--group", replay.group,
                        "Consumer group holding the progress (default: kpipe-replay-<dlq>)");
    command->add_flag("-f,--follow", replay.follow,
                      "Keep replaying new dead letters until SIGINT/SIGTERM");
    command->callback([&globals, &result, options] {
        configure_logging(globals, "replay-dlq");
        auto& replay = options->replay;
        auto variables = filter::filter_variables(options->arguments);
        if (!variables) {
            result.exit_code = report(variables.error());
            return;
        }
        replay.variables = std::move(*variables);
        if (auto checked = check_options(replay, options->since, options->until); !checked) {
            result.exit_code = report(checked.error());
            return;
        }
        auto settings = client_settings(globals);
        if (!settings) {
            result.exit_code = report(settings.error());
            return;
        }
        replay.timeout = globals.timeout();
        auto monitor = start_monitor(globals, {.subcommand = "replay-dlq",
                                               .group_consumer = !replay.dry_run,
                                               .progress = !replay.dry_run,
                                               .lag = true});
        if (!monitor) {
            result.exit_code = report(monitor.error());
            return;
        }
        install_stop_signal_handlers();
        auto summary = replay::run_replay_dlq(replay, *settings);
        (*monitor)->finish();
        if (!summary) {
            result.exit_code = report(summary.error());
            return;
        }
        print_summary(*summary, replay.dry_run, globals.quiet);
        result.exit_code = kExitOk;
    });
}

}  // namespace kpipe::cli
