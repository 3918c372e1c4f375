#pragma once
// One entry point per subcommand; cli/main.cpp wires them from a table.

#include <CLI/CLI.hpp>

#include "filter/arguments.hpp"
#include "global_options.hpp"

namespace kpipe::cli {

void add_broker_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result);
void add_produce_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result);
void add_consume_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result);
void add_transform_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result);
void add_replay_dlq_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result);
// --arg NAME VALUE, --argjson NAME JSON, --slurpfile NAME FILE, --rawfile NAME FILE.
void add_filter_argument_options(CLI::App& command, filter::FilterArgumentOptions& options);
void add_topic_check_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result);

}  // namespace kpipe::cli
