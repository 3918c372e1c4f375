#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "log/structured_log.hpp"
#include "topic_check/render.hpp"
#include "topic_check/topic_check.hpp"

namespace kpipe::cli {

void add_topic_check_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result) {
    auto* command = app.add_subcommand(
        "topic-check",
        "Smoke-test topics: existence, partitions, replication, leaders, watermarks; optionally\n"
        "a canary round trip with latency, a consumer group's lag and sampled records' JSON.\n"
        "Each check passes, fails or is skipped (with the reason). Exit status: 0 nothing\n"
        "failed, 1 a check failed (each named on stderr), 2 usage error or brokers unreachable.\n"
        "--roundtrip leaves its canary records in the topic.");
    struct Options {
        topic_check::TopicCheckOptions check;
        bool json = false;
        std::optional<std::string> junit_file;
    };
    auto options = std::make_shared<Options>();
    auto& check = options->check;
    command->add_option("topics", check.topics, "Topics to check")->required();
    command->add_option("--expect-partitions", check.expected.partitions,
                        "Fail unless each topic has exactly N partitions");
    command->add_option("--expect-replicas", check.expected.replicas,
                        "Fail unless every partition has exactly N replicas");
    command->add_option("--min-isr", check.expected.min_isr,
                        "Fail when a partition has fewer than N in-sync replicas; also compare "
                        "the topic's min.insync.replicas with N (skipped where DescribeConfigs "
                        "is not answered)");
    command
        ->add_option("--roundtrip", check.roundtrip,
                     "Produce N canary records to every partition and read them back (default "
                     "N: 10); reports produce-ack and round-trip latency p50/p99")
        ->expected(0, 1)
        ->default_str(std::to_string(topic_check::default_roundtrip_records));
    command->add_option("--max-latency", check.max_latency_ms,
                        "Fail when the round trip's p99 exceeds MS milliseconds");
    command->add_option("-g,--group", check.group,
                        "Report this consumer group's committed offsets and lag per partition");
    command->add_option("--max-lag", check.max_lag,
                        "Fail when the group lags more than N records on a partition");
    command->add_option("--sample", check.sample,
                        "Check that the last N records of each partition are valid JSON");
    command->add_option("--schema", check.schema_file,
                        "JSON Schema the sampled records must match (type, required, "
                        "properties.X.type)");
    command->add_flag("--json", options->json, "Print the report as one JSON document");
    command->add_option("--junit", options->junit_file,
                        "Also write the report as JUnit XML to FILE, for CI");
    command->callback([&globals, &result, options, command] {
        configure_logging(globals, "topic-check");
        auto& check = options->check;
        // `--roundtrip` without a value: CLI11 leaves the option set to its default string.
        if (command->count("--roundtrip") > 0 && !check.roundtrip) {
            check.roundtrip = topic_check::default_roundtrip_records;
        }
        auto settings = client_settings(globals);
        if (!settings) {
            result.exit_code = report(settings.error());
            return;
        }
        check.timeout = globals.timeout();
        auto checked = topic_check::run_topic_check(check, *settings);
        if (!checked) {
            // Brokers that cannot be reached are a usage problem here: nothing was checked.
            auto error = checked.error();
            error.kind = ErrorKind::usage;
            result.exit_code = report(error);
            return;
        }
        std::cout << (options->json ? topic_check::render_json(*checked)
                                    : topic_check::render_table(*checked))
                  << std::flush;
        if (options->junit_file) {
            std::ofstream file(*options->junit_file, std::ios::trunc);
            file << topic_check::render_junit(*checked);
            if (!file.flush()) {
                result.exit_code = report(Error{"cannot write --junit file '" +
                                                *options->junit_file + "'; check the path"});
                return;
            }
        }
        const auto failures = topic_check::failure_lines(*checked);
        for (const auto& line : failures) log::write(spdlog::level::err, line, {});
        result.exit_code = failures.empty() ? kExitOk : kExitFailure;
    });
}

}  // namespace kpipe::cli
