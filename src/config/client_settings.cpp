#include "config/client_settings.hpp"

#include "config/secrets.hpp"

namespace kpipe::config {
namespace {

struct ProfileChoice {
    std::optional<std::string> name;
    std::string origin;
};

std::optional<std::string> non_empty_variable(const Environment& env, std::string_view name) {
    auto value = env(name);
    if (!value || value->empty()) return std::nullopt;
    return value;
}

ProfileChoice choose_profile(const Settings* settings, const CommandLineSettings& command_line,
                             const Environment& env) {
    if (command_line.profile) {
        if (command_line.profile->empty()) return {std::nullopt, "--profile ''"};
        return {*command_line.profile, "--profile"};
    }
    if (auto name = non_empty_variable(env, "KPIPE_PROFILE")) return {*name, "$KPIPE_PROFILE"};
    if (settings == nullptr) return {std::nullopt, "no settings file"};
    if (settings->default_profile) {
        return {*settings->default_profile, "default_profile in " + settings->origin};
    }
    if (settings->find_profile("default") != nullptr) {
        return {"default", "the profile named 'default' in " + settings->origin};
    }
    return {std::nullopt, "no profile selected"};
}

Expected<const Profile*> find_chosen_profile(const Settings* settings,
                                             const ProfileChoice& choice) {
    if (!choice.name) return static_cast<const Profile*>(nullptr);
    if (settings == nullptr) {
        return usage_error("profile '" + *choice.name + "' (from " + choice.origin +
                           ") was asked for, but no settings file was found; pass -F FILE or "
                           "create ./kpipe.toml");
    }
    if (const Profile* profile = settings->find_profile(*choice.name)) return profile;
    return usage_error("profile '" + *choice.name + "' (from " + choice.origin + ") is not in " +
                       settings->origin + "; available profiles: " + settings->profile_names());
}

bool is_bootstrap_property(std::string_view name) {
    return name == "bootstrap.servers" || name == "metadata.broker.list";
}

Error with_context(const std::string& context, const Error& error) {
    return Error{context + ": " + error.message, error.kind};
}

Status apply_profile(const Profile& profile, const std::string& origin, const Environment& env,
                     ClientSettings& result) {
    if (profile.brokers) {
        result.brokers = *profile.brokers;
        result.brokers_origin = "profile '" + profile.name + "'";
    }
    for (const auto& [name, value] : profile.properties) {
        auto resolved = resolve_secret_reference(value, env);
        if (!resolved) {
            return with_context(
                "profile '" + profile.name + "' property '" + name + "' in " + origin,
                resolved.error());
        }
        result.properties.emplace_back(name, std::move(*resolved));
    }
    return ok();
}

Status apply_command_line_property(const std::string& assignment, const Environment& env,
                                   ClientSettings& result) {
    const std::size_t equals = assignment.find('=');
    // Only the key may be echoed back: whatever follows '=' could be a secret.
    if (equals == std::string::npos) {
        return usage_error("-X '" + assignment + "' is not KEY=VALUE");
    }
    if (equals == 0) return usage_error("-X has an empty property name; write -X KEY=VALUE");
    const std::string name = assignment.substr(0, equals);
    auto value = resolve_secret_reference(std::string_view(assignment).substr(equals + 1), env);
    if (!value) return with_context("-X " + name, value.error());
    if (is_bootstrap_property(name)) {
        result.brokers = std::move(*value);
        result.brokers_origin = "-X " + name;
    } else {
        result.properties.emplace_back(name, std::move(*value));
    }
    return ok();
}

}  // namespace

std::string ClientSettings::describe() const {
    std::string text = "profile: " + profile.value_or("none");
    if (!profile_origin.empty()) text += " (" + profile_origin + ")";
    text += "\nbrokers: " + brokers;
    if (!brokers_origin.empty()) text += " (from " + brokers_origin + ")";
    if (properties.empty()) return text + "\nproperties: none\n";
    text += "\nproperties (applied in order, later ones win):\n";
    for (const auto& [name, value] : properties) {
        text += "  " + name + " = " + redacted_value(name, value) + "\n";
    }
    return text;
}

Expected<ClientSettings> resolve_client_settings(const Settings* settings,
                                                 const CommandLineSettings& command_line,
                                                 const Environment& env) {
    ClientSettings result;
    result.brokers = default_brokers;
    result.brokers_origin = "built-in default";

    const ProfileChoice choice = choose_profile(settings, command_line, env);
    auto profile = find_chosen_profile(settings, choice);
    if (!profile) return profile.error();
    result.profile = choice.name;
    result.profile_origin = choice.origin;
    if (*profile != nullptr) {
        if (auto status = apply_profile(**profile, settings->origin, env, result); !status) {
            return status.error();
        }
    }

    if (auto brokers = non_empty_variable(env, "KPIPE_BROKERS")) {
        result.brokers = std::move(*brokers);
        result.brokers_origin = "$KPIPE_BROKERS";
    }
    if (command_line.brokers) {
        if (command_line.brokers->empty()) {
            return usage_error("-b needs a broker list, e.g. -b localhost:9092");
        }
        result.brokers = *command_line.brokers;
        result.brokers_origin = "-b";
    }
    for (const std::string& assignment : command_line.properties) {
        if (auto status = apply_command_line_property(assignment, env, result); !status) {
            return status.error();
        }
    }
    return result;
}

}  // namespace kpipe::config
