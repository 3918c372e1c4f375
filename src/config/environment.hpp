#pragma once
// Environment variables behind a function, so settings resolution can be tested without
// touching the real process environment.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kpipe::config {

// Returns the variable's value, or nullopt when it is not set.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the real process environment.
Environment process_environment();

// A fixed set of variables; everything else is unset. For tests and embedding.
Environment fixed_environment(std::map<std::string, std::string, std::less<>> variables);

}  // namespace kpipe::config
