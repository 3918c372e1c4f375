#include "config/environment.hpp"

#include <cstdlib>
#include <utility>

namespace kpipe::config {

Environment process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

Environment fixed_environment(std::map<std::string, std::string, std::less<>> variables) {
    return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
        if (auto found = variables.find(name); found != variables.end()) return found->second;
        return std::nullopt;
    };
}

}  // namespace kpipe::config
