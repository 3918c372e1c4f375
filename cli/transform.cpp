#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "common/signals.hpp"
#include "log/structured_log.hpp"
#include "monitoring.hpp"
#include "pipeline/transform.hpp"

namespace kpipe::cli {
namespace {

Expected<std::string> read_filter_file(const std::string& path) {
    std::ifstream file(path);
    if (!file) return usage_error("cannot read --filter-file '" + path + "'");
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// FILTER, else --filter-file, else the settings file's pipeline for this in/out
// pair (which may also name the dead-letter topic and the group).
Status resolve_filter(const GlobalOptions& globals, const std::optional<std::string>& filter,
                      const std::optional<std::string>& filter_file,
                      pipeline::TransformOptions& options) {
    if (filter) {
        options.filter = *filter;
        return ok();
    }
    if (filter_file) {
        auto text = read_filter_file(*filter_file);
        if (!text) return text.error();
        options.filter = *text;
        return ok();
    }
    auto settings = load_settings(globals);
    if (!settings) return settings.error();
    const config::Pipeline* pipeline =
        *settings ? (*settings)->find_pipeline(options.in, options.out) : nullptr;
    if (pipeline == nullptr || !pipeline->filter) {
        return usage_error("no filter for --in " + options.in + " --out " + options.out +
                           ": give a FILTER, --filter-file, or a pipeline with that in/out in "
                           "the settings file (see examples/kpipe.toml)");
    }
    options.filter = *pipeline->filter;
    if (!options.dlq) options.dlq = pipeline->dlq;
    if (!options.group) options.group = pipeline->group;
    spdlog::info("running pipeline '{}' from {}", pipeline->name, (*settings)->origin);
    return ok();
}

void print_summary(const pipeline::TransformSummary& summary, bool quiet) {
    if (quiet) return;
    const double rate = summary.in / std::max(summary.seconds, 1e-9);
    log::Fields fields{{"in", summary.in},
                       {"out", summary.out},
                       {"filtered", summary.filtered},
                       {"dead_lettered", summary.dead_lettered}};
    log::append_throughput(fields, summary.in, summary.seconds, summary.interrupted);
    log::summary(
        fmt::format("kpipe transform: in {}, out {}, filtered {}, dead-lettered {}, "
                    "{:.2f}s, {:.0f} records/s{}",
                    summary.in, summary.out, summary.filtered, summary.dead_lettered,
                    summary.seconds, rate, summary.interrupted ? " (stopped by signal)" : ""),
        fields);
}

}  // namespace

void add_transform_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result) {
    auto* command = app.add_subcommand("transform",
                                       "Read records from a topic or stdin, run a jq filter on "
                                       "each value, write the results\n"
                                       "to a topic or stdout. Records that cannot be processed "
                                       "(invalid JSON, filter errors,\n"
                                       "oversized values) go to a dead-letter topic with Kafka "
                                       "Connect's error headers.\n"
                                       "At least once by default: input offsets are committed only "
                                       "after the records they\n"
                                       "produced are acknowledged. Runs until SIGINT/SIGTERM, -e "
                                       "or -c; prints a summary.");
    struct Options {
        filter::FilterArgumentOptions arguments;
        pipeline::TransformOptions transform;
        std::optional<std::string> filter;
        std::optional<std::string> filter_file;
        std::optional<std::uint64_t> count;
    };
    auto options = std::make_shared<Options>();
    add_filter_argument_options(*command, options->arguments);
    auto& transform = options->transform;
    command->add_option("--in", transform.in, "Input topic, or - for stdin")->required();
    command->add_option("--out", transform.out, "Output topic, or - for stdout")->required();
    command->add_option("filter", options->filter,
                        "jq filter (jq 1.7's language; see kpipe-transform(1)). Default: the "
                        "settings file's pipeline for this --in/--out");
    command->add_option("--filter-file", options->filter_file, "Read the filter from a file");
    command->add_option("--key", transform.shape.key,
                        "jq expression on each output value: its first output becomes the "
                        "record's key (a string as is, other values as JSON)");
    command->add_option("--header", transform.shape.headers,
                        "NAME=EXPR: set header NAME to EXPR's first output on each output value "
                        "(repeatable; replaces an input header of that name)")
        ->allow_extra_args(false);
    command->add_option("--topic", transform.shape.topic,
                        "jq expression on each output value: its first output names the topic "
                        "to write to (no output: --out)");
    command->add_option("--dlq", transform.dlq, "Dead-letter topic (default: <in>-dlq)");
    command->add_option("--dlq-file", transform.dlq_file,
                        "With --in -: write dead letters to this file as envelope lines "
                        "(default: stderr)");
    command->add_option("-g,--group", transform.group,
                        "Consumer group; processes sharing it share the input's partitions "
                        "(default: kpipe-transform-<in>-<out>)");
    command->add_flag("--envelope", transform.envelope,
                      "stdin/stdout carry envelope lines (as kpipe "
                      "consume/produce --envelope)");
    command->add_flag("-e,--exit-at-end", transform.exit_at_end,
                      "Exit once the input is caught up and everything is committed");
    command->add_option("-c,--count", options->count, "Exit after N input records");
    command->add_flag("--exactly-once", transform.exactly_once,
                      "Commit outputs, dead letters and input offsets in Kafka transactions");
    command->add_option(
        "--transactional-id", transform.transactional_id,
        "With --exactly-once: the producer's transactional.id (default "
        "kpipe-<group>-<host>-<pid>; a stable id lets a restart fence the old process)");
    command
        ->add_option("--max-record-bytes", transform.max_record_bytes,
                     "Values larger than this go to the dead-letter topic")
        ->capture_default_str();
    command->callback([&globals, &result, options] {
        configure_logging(globals, "transform");
        auto& transform = options->transform;
        auto variables = filter::filter_variables(options->arguments);
        if (!variables) {
            result.exit_code = report(variables.error());
            return;
        }
        transform.variables = std::move(*variables);
        transform.count = options->count;
        if (auto resolved =
                resolve_filter(globals, options->filter, options->filter_file, transform);
            !resolved) {
            result.exit_code = report(resolved.error());
            return;
        }
        auto settings = client_settings(globals);
        if (!settings) {
            result.exit_code = report(settings.error());
            return;
        }
        transform.timeout = globals.timeout();
        auto monitor = start_monitor(globals, {.subcommand = "transform",
                                               .group_consumer = !transform.from_stdin(),
                                               .progress = transform.exit_at_end,
                                               .lag = !transform.from_stdin()});
        if (!monitor) {
            result.exit_code = report(monitor.error());
            return;
        }
        install_stop_signal_handlers();
        auto summary = pipeline::run_transform(transform, *settings);
        (*monitor)->finish();
        if (!summary) {
            result.exit_code = report(summary.error());
            return;
        }
        print_summary(*summary, globals.quiet);
        // From stdin there is no dead-letter topic to keep them safe: say so in the
        // status.
        const bool stdin_dead_letters = transform.from_stdin() && summary->dead_lettered > 0;
        result.exit_code = stdin_dead_letters ? kExitFailure : kExitOk;
    });
}

}  // namespace kpipe::cli
