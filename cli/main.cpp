// kpipe: composable Kafka subcommands. This file only wires them together.

#include <librdkafka/rdkafka.h>

#include <iostream>

#include "commands.hpp"
#include "global_options.hpp"

namespace {

using AddCommand = void (*)(CLI::App&, const kpipe::cli::GlobalOptions&,
                            kpipe::cli::CommandResult&);

constexpr AddCommand kCommands[] = {
    kpipe::cli::add_broker_command,     kpipe::cli::add_produce_command,
    kpipe::cli::add_consume_command,    kpipe::cli::add_transform_command,
    kpipe::cli::add_replay_dlq_command, kpipe::cli::add_topic_check_command,
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "kpipe: a command-line toolkit for Apache Kafka. Subcommands read from a topic or\n"
        "stdin and write to a topic or stdout, so they chain through Kafka or shell pipes.\n"
        "Exit status: 0 success, 1 runtime failure, 2 usage error.",
        "kpipe"};
    app.set_version_flag("--version", std::string("kpipe ") + KPIPE_VERSION + " (librdkafka " +
                                          rd_kafka_version_str() + ")");
    app.require_subcommand(1);
    app.fallthrough();  // global options are accepted after the subcommand too

    kpipe::cli::GlobalOptions globals;
    kpipe::cli::add_global_options(app, globals);
    kpipe::cli::CommandResult result;
    for (auto add : kCommands) add(app, globals, result);

    // CLI11 would only say that a subcommand is required; name the word it did not know.
    if (argc > 1 && argv[1][0] != '-') {
        const std::string word = argv[1];
        std::string names;
        bool known = false;
        for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) {
            known = known || command->get_name() == word;
            names += (names.empty() ? "" : ", ") + command->get_name();
        }
        if (!known) {
            std::cerr << "kpipe: unknown subcommand '" << word << "'; choose one of " << names
                      << " (see 'kpipe --help')" << std::endl;
            return kpipe::cli::kExitUsage;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        return app.exit(version);
    } catch (const CLI::ParseError& error) {
        std::cerr << "kpipe: " << error.what() << "; see 'kpipe --help'" << std::endl;
        return kpipe::cli::kExitUsage;
    }
    return result.exit_code;
}
