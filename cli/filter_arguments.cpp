// --arg, --argjson, --slurpfile and --rawfile, shared by transform and replay-dlq.

#include "commands.hpp"

namespace kpipe::cli {

void add_filter_argument_options(CLI::App& command, filter::FilterArgumentOptions& options) {
    command.add_option("--arg", options.arg, "NAME VALUE: $NAME in the filter is the string VALUE")
        ->type_name("NAME VALUE")
        ->allow_extra_args(false);
    command.add_option("--argjson", options.argjson, "NAME JSON: $NAME is the JSON value")
        ->type_name("NAME JSON")
        ->allow_extra_args(false);
    command.add_option("--slurpfile", options.slurpfile,
                       "NAME FILE: $NAME is an array of the JSON values in FILE")
        ->type_name("NAME FILE")
        ->allow_extra_args(false);
    command.add_option("--rawfile", options.rawfile, "NAME FILE: $NAME is FILE's text")
        ->type_name("NAME FILE")
        ->allow_extra_args(false);
}

}  // namespace kpipe::cli
