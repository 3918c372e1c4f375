#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "common/signals.hpp"
#include "consume/consume.hpp"
#include "log/structured_log.hpp"
#include "monitoring.hpp"

namespace kpipe::cli {

void add_consume_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result) {
    auto* command = app.add_subcommand(
        "consume", "Print records of topics on stdout, one line each: the value, or the envelope.");
    struct Options {
        consume::ConsumeOptions consume;
        std::optional<std::string> offset;
        std::optional<std::uint64_t> count;
    };
    auto options = std::make_shared<Options>();
    auto& consume = options->consume;
    command->add_option("-t,--topic", consume.topics, "Topics to read (TOPIC[,TOPIC...])")
        ->required()
        ->delimiter(',');
    command->add_flag("--envelope", consume.envelope,
                      "Print envelopes: topic, partition, offset, timestamp, key, headers and "
                      "value as one JSON object (value as JSON, text, or value_b64 for binary)");
    command->add_option("-o,--offset", options->offset,
                        "Start at: beginning (default), end, stored (default with -g), N, -N "
                        "(N before the end of each partition), s@MS (first record at or after "
                        "timestamp MS)");
    command->add_flag("-e,--exit-at-end", consume.exit_at_end,
                      "Exit once every partition has been read to its end");
    command->add_option("-c,--count", options->count, "Exit after N records");
    command->add_option("-g,--group", consume.group,
                        "Consumer group: read the partitions it assigns (or those of -p) and "
                        "commit the offsets of records written to stdout");
    command->add_option("-p,--partition", consume.partitions, "Only these partitions (repeatable)")
        ->delimiter(',');
    command->callback([&globals, &result, options] {
        configure_logging(globals, "consume");
        auto& consume = options->consume;
        consume.count = options->count;
        if (options->offset) {
            auto spec = consume::parse_offset_spec(*options->offset);
            if (!spec) {
                result.exit_code = report(spec.error());
                return;
            }
            consume.offset = *spec;
        }
        auto settings = client_settings(globals);
        if (!settings) {
            result.exit_code = report(settings.error());
            return;
        }
        consume.timeout = globals.timeout();
        // Records go to stdout, often the same terminal: no progress line.
        auto monitor = start_monitor(globals, {.subcommand = "consume", .group_consumer = true});
        if (!monitor) {
            result.exit_code = report(monitor.error());
            return;
        }
        install_stop_signal_handlers();
        auto summary = consume::run_consume(consume, *settings);
        (*monitor)->finish();
        if (!summary) {
            result.exit_code = report(summary.error());
            return;
        }
        log::write(spdlog::level::info,
                   fmt::format("consumed {} records in {:.2f}s{}", summary->records,
                               summary->seconds, summary->output_closed ? " (output closed)" : ""),
                   {{"records", summary->records},
                    {"seconds", summary->seconds},
                    {"output_closed", summary->output_closed}});
        result.exit_code = kExitOk;
    });
}

}  // namespace kpipe::cli
