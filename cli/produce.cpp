#include <spdlog/spdlog.h>

#include <map>

#include "commands.hpp"
#include "common/signals.hpp"
#include "log/structured_log.hpp"
#include "monitoring.hpp"
#include "produce/produce.hpp"

namespace kpipe::cli {
namespace {

Expected<std::pair<std::string, std::string>> parse_header(const std::string& text) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
        return usage_error("-H '" + text + "' is not NAME=VALUE");
    }
    return std::pair{text.substr(0, equals), text.substr(equals + 1)};
}

log::Fields summary_fields(const produce::ProduceSummary& summary, bool dry_run) {
    log::Fields fields{{"dry_run", dry_run},
                       {"records", summary.records},
                       {"acknowledged", summary.acknowledged},
                       {"failed", summary.failed},
                       {"rejected_lines", summary.rejected_lines}};
    log::append_throughput(fields, summary.records, summary.seconds, summary.interrupted);
    return fields;
}

int report_summary(const produce::ProduceSummary& summary, bool dry_run) {
    if (summary.failed > 0) {
        spdlog::error("{} of {} records were not acknowledged by the broker (first: {})",
                      summary.failed, summary.records, summary.first_failure);
    }
    if (summary.rejected_lines > 0) {
        spdlog::error(
            "{} input records were not sent (reasons above); fix them, or use --format raw to "
            "send lines as they are",
            summary.rejected_lines);
    }
    const double rate = summary.records / std::max(summary.seconds, 1e-9);
    log::write(spdlog::level::info,
               fmt::format("{} {} records{} in {:.2f}s ({:.0f} records/s){}",
                           dry_run ? "printed" : "produced", summary.records,
                           dry_run ? "" : fmt::format(", {} acknowledged", summary.acknowledged),
                           summary.seconds, rate, summary.interrupted ? ", interrupted" : ""),
               summary_fields(summary, dry_run));
    return summary.all_delivered() ? kExitOk : kExitFailure;
}

}  // namespace

void add_produce_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result) {
    auto* command = app.add_subcommand(
        "produce",
        "Produce one record per input line (FILEs or stdin) to a topic, or generated events.\n"
        "Exit status 0 only when every record was acknowledged by the broker.");
    struct Options {
        produce::ProduceOptions produce;
        std::string format = "json";
        bool envelope = false;
        std::vector<std::string> headers;
        std::optional<std::string> generate;
        std::optional<std::string> compression;
        std::optional<std::string> acks;
    };
    auto options = std::make_shared<Options>();
    auto& produce = options->produce;
    command->add_option("-t,--topic", produce.topic, "Topic to produce to")->required();
    command->add_option("files", produce.files, "Input files ('-' or none: stdin)");
    command
        ->add_option("--format", options->format,
                     "Input lines: json (each line validated; invalid lines are reported and "
                     "not sent) or raw (any text)")
        ->check(CLI::IsMember({"json", "raw"}))
        ->capture_default_str();
    command->add_flag("--envelope", options->envelope,
                      "Input lines are envelopes (as printed by 'kpipe consume --envelope'): "
                      "key, headers, timestamp and value are taken from them");
    command->add_option("-k,--key-field", produce.decoding.key_field,
                        "Key = this top-level field of the JSON value");
    command->add_option("-K,--key-delimiter", produce.decoding.key_delimiter,
                        "Key = the text before the first DELIM; value = the rest of the line");
    command->add_option("-H,--header", options->headers,
                        "Add header NAME=VALUE to every record (repeatable)");
    command->add_option("-p,--partition", produce.partition,
                        "Partition (default: by key, or spread when keyless)");
    command->add_option("-z,--compression", options->compression, "Compression codec")
        ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
    command->add_option("--acks", options->acks, "Acknowledgements required")
        ->check(CLI::IsMember({"all", "-1", "0", "1"}));
    auto* generate =
        command
            ->add_option("--generate", options->generate,
                         "Produce synthetic events instead of reading input: user-login "
                         "(the seed's login events, key = user_id)")
            ->check(CLI::IsMember(produce::generator_kinds()));
    command
        ->add_option("--count", produce.generate.emplace().count,
                     "With --generate: number of events (default: until interrupted)")
        ->needs(generate);
    command
        ->add_option("--rate", produce.generate->rate,
                     "With --generate: events per second (default: as fast as possible)")
        ->needs(generate);
    command
        ->add_option("--seed", produce.generate->seed,
                     "With --generate: random seed; the same seed gives the same events")
        ->needs(generate);
    command->add_flag("--dry-run", produce.dry_run,
                      "Send nothing: print each record that would be sent as an envelope line");
    command->callback([&globals, &result, options] {
        configure_logging(globals, "produce");
        auto& produce = options->produce;
        if (!options->generate) {
            produce.generate.reset();
        } else {
            produce.generate->kind = *options->generate;
        }
        if (options->envelope) {
            if (produce.decoding.key_field || produce.decoding.key_delimiter) {
                result.exit_code = report(usage_error(
                    "--envelope takes keys from the envelope; drop --key-field/--key-delimiter"));
                return;
            }
            produce.decoding.format = produce::InputFormat::envelope;
        } else {
            produce.decoding.format =
                options->format == "raw" ? produce::InputFormat::raw : produce::InputFormat::json;
        }
        if (produce.decoding.key_field && produce.decoding.format != produce::InputFormat::json) {
            result.exit_code = report(usage_error("--key-field needs --format json"));
            return;
        }
        for (const auto& text : options->headers) {
            auto header = parse_header(text);
            if (!header) {
                result.exit_code = report(header.error());
                return;
            }
            produce.headers.push_back(*header);
        }
        auto settings = client_settings(globals);
        if (!settings) {
            result.exit_code = report(settings.error());
            return;
        }
        if (options->compression) {
            settings->properties.emplace_back("compression.codec", *options->compression);
        }
        if (options->acks) {
            // The idempotent producer (kpipe's default) requires acks=all.
            if (*options->acks != "all" && *options->acks != "-1") {
                settings->properties.emplace_back("enable.idempotence", "false");
            }
            settings->properties.emplace_back("acks", *options->acks);
        }
        produce.timeout = globals.timeout();
        auto monitor = start_monitor(
            globals, {.subcommand = "produce", .progress = !produce.dry_run, .lag = false});
        if (!monitor) {
            result.exit_code = report(monitor.error());
            return;
        }
        install_stop_signal_handlers();
        auto summary = produce::run_produce(produce, *settings);
        (*monitor)->finish();
        result.exit_code =
            summary ? report_summary(*summary, produce.dry_run) : report(summary.error());
    });
}

}  // namespace kpipe::cli
