#include "kafka/unsecured_jwt.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace kpipe::kafka {
namespace {

constexpr std::string_view what = "sasl.oauthbearer.config (unsecured JWT)";
constexpr std::array<std::string_view, 5> known_names = {"principal", "principalClaimName", "scope",
                                                         "scopeClaimName", "lifeSeconds"};

bool is_positive_integer(std::string_view text) {
    return !text.empty() && text.size() < 10 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
           text.find_first_not_of('0') != std::string_view::npos;
}

}  // namespace

Status check_unsecured_jwt_config(std::string_view config) {
    bool has_principal = false;
    std::size_t at = 0;
    while (at < config.size()) {
        const std::size_t start = config.find_first_not_of(" \t\r\n", at);
        if (start == std::string_view::npos) break;
        const std::size_t end = std::min(config.find_first_of(" \t\r\n", start), config.size());
        const std::string_view setting = config.substr(start, end - start);
        at = end;
        const std::size_t equals = setting.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            return usage_error(std::string(what) +
                               " has a setting that is not NAME=VALUE; write e.g. "
                               "\"principal=admin lifeSeconds=3600\"");
        }
        const std::string_view name = setting.substr(0, equals);
        const std::string_view value = setting.substr(equals + 1);
        const bool known =
            std::find(known_names.begin(), known_names.end(), name) != known_names.end() ||
            (name.starts_with("extension_") && name.size() > 10);
        if (!known) {
            return usage_error(std::string(what) + ": unknown setting '" + std::string(name) +
                               "'; expected principal, principalClaimName, scope, "
                               "scopeClaimName, lifeSeconds or extension_NAME");
        }
        if (name == "lifeSeconds" && !is_positive_integer(value)) {
            return usage_error(std::string(what) +
                               ": lifeSeconds must be a positive whole number of seconds");
        }
        if (name == "principal") has_principal = !value.empty();
    }
    if (!has_principal) {
        return usage_error(std::string(what) + " needs principal=NAME, e.g. \"principal=admin\"");
    }
    return ok();
}

}  // namespace kpipe::kafka
