#pragma once
// Filter parameters as jq has them: --arg NAME VALUE, --argjson NAME JSON, --slurpfile NAME
// FILE, --rawfile NAME FILE. Each becomes $NAME in the filter, and all of them $ARGS.named.

#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"

namespace kpipe::filter {

// One $NAME for the filter: its value as JSON text and the option that gave it, for errors.
struct FilterVariable {
    std::string name;
    std::string json;
    std::string origin;  // e.g. "--argjson limit"
};

struct FilterArgumentOptions {
    std::vector<std::pair<std::string, std::string>> arg;        // NAME VALUE (a string)
    std::vector<std::pair<std::string, std::string>> argjson;    // NAME JSON
    std::vector<std::pair<std::string, std::string>> slurpfile;  // NAME FILE (array of its values)
    std::vector<std::pair<std::string, std::string>> rawfile;    // NAME FILE (its text)
};

// Reads the files and checks the JSON: errors are usage errors naming the option.
Expected<std::vector<FilterVariable>> filter_variables(const FilterArgumentOptions& options);

}  // namespace kpipe::filter
