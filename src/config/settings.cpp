#include "config/settings.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>

namespace kpipe::config {
namespace {

namespace fs = std::filesystem;

// librdkafka's names for the bootstrap list; in a profile they mean the same as `brokers`.
constexpr std::array<std::string_view, 2> bootstrap_property_names = {"bootstrap.servers",
                                                                      "metadata.broker.list"};

bool is_bootstrap_property(std::string_view name) {
    return std::find(bootstrap_property_names.begin(), bootstrap_property_names.end(), name) !=
           bootstrap_property_names.end();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// "a, b or c"
std::string join_choices(std::initializer_list<std::string_view> choices) {
    std::string text;
    std::size_t index = 0;
    for (std::string_view choice : choices) {
        if (index > 0) text += index + 1 == choices.size() ? " or " : ", ";
        text += choice;
        ++index;
    }
    return text;
}

struct Entry {
    const toml::key* key;
    const toml::node* node;
};

// toml++ keeps tables sorted by key; users expect their own order back (profiles listed,
// properties applied and shown as written).
std::vector<Entry> in_file_order(const toml::table& table) {
    std::vector<Entry> entries;
    for (const auto& [key, node] : table) entries.push_back(Entry{&key, &node});
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.key->source().begin < b.key->source().begin;
    });
    return entries;
}

std::string stringify_double(double value) {
    std::array<char, 64> buffer{};
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    (void)error;  // 64 characters always hold the shortest round-trip form of a double
    return std::string(buffer.data(), end);
}

// Scalars as librdkafka expects them: true -> "true", 5 -> "5"; nullopt for other types.
std::optional<std::string> stringify_scalar(const toml::node& node) {
    if (const toml::value<std::string>* text = node.as_string()) return text->get();
    if (node.is_integer()) return std::to_string(node.as_integer()->get());
    if (node.is_floating_point()) return stringify_double(node.as_floating_point()->get());
    if (node.is_boolean()) return node.as_boolean()->get() ? "true" : "false";
    return std::nullopt;
}

class SettingsParser {
  public:
    explicit SettingsParser(std::string_view origin) : origin_(origin) {}

    Expected<Settings> parse(const toml::table& root) {
        Settings settings;
        settings.origin = origin_;
        std::string default_profile_at = origin_ + ": ";
        for (const Entry& entry : in_file_order(root)) {
            const std::string_view key = entry.key->str();
            Status status = ok();
            if (key == "default_profile") {
                auto name = required_string(entry, "default_profile");
                if (!name) return name.error();
                settings.default_profile = std::move(*name);
                default_profile_at = at(entry.key->source());
            } else if (key == "profiles") {
                status = parse_profiles(entry, settings.profiles);
            } else if (key == "pipelines") {
                status = parse_pipelines(entry, settings.pipelines);
            } else {
                return unknown_key(entry, "at the top level",
                                   {"default_profile", "profiles", "pipelines"});
            }
            if (!status) return status.error();
        }
        if (settings.default_profile && !settings.find_profile(*settings.default_profile)) {
            return usage_error(
                default_profile_at + "default_profile '" + *settings.default_profile +
                "' is not a profile in this file; profiles: " + settings.profile_names());
        }
        return settings;
    }

  private:
    std::string at(const toml::source_region& region) const {
        if (region.begin.line == 0) return origin_ + ": ";
        return origin_ + ":" + std::to_string(region.begin.line) + ":" +
               std::to_string(region.begin.column) + ": ";
    }

    Error error_at(const Entry& entry, const std::string& message) const {
        return usage_error(at(entry.key->source()) + message);
    }

    Error unknown_key(const Entry& entry, std::string_view where,
                      std::initializer_list<std::string_view> expected) const {
        const std::string_view key = entry.key->str();
        std::string message = "unknown key '" + std::string(key) + "' " + std::string(where);
        for (std::string_view candidate : expected) {
            // Close enough to be a typo, not so loose that "x" suggests "in".
            if (edit_distance(key, candidate) <= std::max<std::size_t>(1, candidate.size() / 3)) {
                message += " (did you mean '" + std::string(candidate) + "'?)";
                break;
            }
        }
        return error_at(entry, message + "; expected " + join_choices(expected));
    }

    Expected<std::string> required_string(const Entry& entry, const std::string& what) const {
        const toml::value<std::string>* text = entry.node->as_string();
        if (text == nullptr) return error_at(entry, what + " must be a string");
        if (text->get().empty()) return error_at(entry, what + " must not be empty");
        return text->get();
    }

    // A string, or an array of scalars joined by commas as librdkafka's list properties expect.
    Expected<std::string> property_value(const Entry& entry, const std::string& what) const {
        if (auto scalar = stringify_scalar(*entry.node)) return std::move(*scalar);
        if (const toml::array* list = entry.node->as_array()) {
            std::string joined;
            for (const toml::node& item : *list) {
                auto scalar = stringify_scalar(item);
                if (!scalar) {
                    return error_at(entry, what + " must list strings, numbers or booleans");
                }
                if (!joined.empty()) joined += ',';
                joined += *scalar;
            }
            return joined;
        }
        return error_at(entry, what + " must be a string, number, boolean or array of them");
    }

    Expected<std::string> broker_list(const Entry& entry, const std::string& what) const {
        const toml::array* list = entry.node->as_array();
        const bool strings_only =
            entry.node->is_string() || (list != nullptr && list->is_homogeneous<std::string>());
        if (!strings_only && !(list != nullptr && list->empty())) {
            return error_at(entry, what + " must be a string or an array of strings");
        }
        auto joined = property_value(entry, what);
        if (joined && joined->empty()) return error_at(entry, what + " must not be empty");
        return joined;
    }

    Status parse_profiles(const Entry& profiles_entry, std::vector<Profile>& profiles) const {
        const toml::table* table = profiles_entry.node->as_table();
        if (table == nullptr) {
            return error_at(profiles_entry, "profiles must be a table, e.g. [profiles.local]");
        }
        for (const Entry& entry : in_file_order(*table)) {
            auto profile = parse_profile(entry);
            if (!profile) return profile.error();
            profiles.push_back(std::move(*profile));
        }
        return ok();
    }

    Expected<Profile> parse_profile(const Entry& profile_entry) const {
        Profile profile;
        profile.name = profile_entry.key->str();
        // An empty name cannot be chosen with --profile nor told apart in a list of profiles.
        if (profile.name.empty()) {
            return error_at(profile_entry, "a profile needs a name, e.g. [profiles.local]");
        }
        const std::string what = "profile '" + profile.name + "'";
        const toml::table* table = profile_entry.node->as_table();
        if (table == nullptr) {
            return error_at(profile_entry,
                            what + " must be a table, e.g. [profiles." + profile.name + "]");
        }
        for (const Entry& entry : in_file_order(*table)) {
            const std::string_view key = entry.key->str();
            if (key == "brokers") {
                auto brokers = broker_list(entry, what + " brokers");
                if (!brokers) return brokers.error();
                profile.brokers = std::move(*brokers);
            } else if (key == "properties") {
                const toml::table* properties = entry.node->as_table();
                if (properties == nullptr) {
                    return error_at(entry, what + " properties must be a table, e.g. [profiles." +
                                               profile.name + ".properties]");
                }
                if (auto status = collect_properties(*properties, "", what, profile); !status) {
                    return status.error();
                }
            } else {
                return unknown_key(entry,
                                   "in " + what + " (librdkafka settings go under [profiles." +
                                       profile.name + ".properties])",
                                   {"brokers", "properties"});
            }
        }
        return profile;
    }

    // Unquoted dotted keys (linger.ms = 5) are nested tables in TOML; flattening them back
    // lets users write librdkafka names with or without quotes.
    Status collect_properties(const toml::table& table, const std::string& prefix,
                              const std::string& what, Profile& profile) const {
        for (const Entry& entry : in_file_order(table)) {
            const std::string name = prefix + std::string(entry.key->str());
            if (entry.key->str().empty()) {
                return error_at(entry, what + " has a property with an empty name");
            }
            if (const toml::table* nested = entry.node->as_table()) {
                if (auto status = collect_properties(*nested, name + ".", what, profile); !status) {
                    return status;
                }
                continue;
            }
            auto value = property_value(entry, what + " property '" + name + "'");
            if (!value) return value.error();
            auto& properties = profile.properties;
            if (std::any_of(properties.begin(), properties.end(),
                            [&](const auto& property) { return property.first == name; })) {
                return error_at(entry, what + " sets property '" + name + "' twice");
            }
            if (is_bootstrap_property(name)) {
                if (profile.brokers) {
                    return error_at(
                        entry, what + " sets both brokers and '" + name + "'; keep only brokers");
                }
                profile.brokers = std::move(*value);
                continue;
            }
            properties.emplace_back(name, std::move(*value));
        }
        return ok();
    }

    Status parse_pipelines(const Entry& pipelines_entry, std::vector<Pipeline>& pipelines) const {
        const toml::table* table = pipelines_entry.node->as_table();
        if (table == nullptr) {
            return error_at(pipelines_entry, "pipelines must be a table, e.g. [pipelines.login]");
        }
        for (const Entry& entry : in_file_order(*table)) {
            auto pipeline = parse_pipeline(entry);
            if (!pipeline) return pipeline.error();
            for (const Pipeline& earlier : pipelines) {
                if (earlier.in == pipeline->in && earlier.out == pipeline->out) {
                    return error_at(entry, "pipelines '" + earlier.name + "' and '" +
                                               pipeline->name + "' both read '" + pipeline->in +
                                               "' and write '" + pipeline->out +
                                               "'; `kpipe transform` could not choose");
                }
            }
            pipelines.push_back(std::move(*pipeline));
        }
        return ok();
    }

    Expected<Pipeline> parse_pipeline(const Entry& pipeline_entry) const {
        Pipeline pipeline;
        pipeline.name = pipeline_entry.key->str();
        if (pipeline.name.empty()) {
            return error_at(pipeline_entry, "a pipeline needs a name, e.g. [pipelines.login]");
        }
        const std::string what = "pipeline '" + pipeline.name + "'";
        const toml::table* table = pipeline_entry.node->as_table();
        if (table == nullptr) {
            return error_at(pipeline_entry,
                            what + " must be a table, e.g. [pipelines." + pipeline.name + "]");
        }
        bool has_in = false;
        bool has_out = false;
        for (const Entry& entry : in_file_order(*table)) {
            const std::string_view key = entry.key->str();
            std::string* in_or_out = key == "in"    ? &pipeline.in
                                     : key == "out" ? &pipeline.out
                                                    : nullptr;
            std::optional<std::string>* optional_field = key == "filter"  ? &pipeline.filter
                                                         : key == "dlq"   ? &pipeline.dlq
                                                         : key == "group" ? &pipeline.group
                                                                          : nullptr;
            if (in_or_out == nullptr && optional_field == nullptr) {
                return unknown_key(entry, "in " + what, {"in", "out", "filter", "dlq", "group"});
            }
            auto text = required_string(entry, what + " " + std::string(key));
            if (!text) return text.error();
            if (in_or_out != nullptr) {
                *in_or_out = std::move(*text);
                (key == "in" ? has_in : has_out) = true;
            } else {
                *optional_field = std::move(*text);
            }
        }
        if (!has_in || !has_out) {
            return error_at(pipeline_entry, what + " needs both 'in' and 'out' topics (missing '" +
                                                std::string(has_in ? "out" : "in") + "')");
        }
        return pipeline;
    }

    std::string origin_;
};

enum class FileState { regular_file, missing, not_a_file };

FileState file_state(const fs::path& path) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (fs::is_regular_file(status)) return FileState::regular_file;
    if (fs::exists(status)) return FileState::not_a_file;
    return FileState::missing;
}

Expected<std::optional<fs::path>> required_file(const fs::path& path, std::string_view source) {
    switch (file_state(path)) {
        case FileState::regular_file:
            return std::optional<fs::path>(path);
        case FileState::not_a_file:
            return usage_error("settings file '" + path.string() + "' (from " +
                               std::string(source) + ") is not a regular file");
        case FileState::missing:
            break;
    }
    return usage_error("settings file '" + path.string() + "' (from " + std::string(source) +
                       ") does not exist");
}

std::optional<std::string> non_empty_variable(const Environment& env, std::string_view name) {
    auto value = env(name);
    if (!value || value->empty()) return std::nullopt;
    return value;
}

std::optional<fs::path> user_config_directory(const Environment& env) {
    // The XDG Base Directory spec says relative values are invalid and must be ignored.
    if (auto xdg = non_empty_variable(env, "XDG_CONFIG_HOME");
        xdg && fs::path(*xdg).is_absolute()) {
        return fs::path(*xdg);
    }
    if (auto home = non_empty_variable(env, "HOME")) return fs::path(*home) / ".config";
    return std::nullopt;
}

}  // namespace

const Profile* Settings::find_profile(std::string_view name) const {
    auto found = std::find_if(profiles.begin(), profiles.end(),
                              [&](const Profile& profile) { return profile.name == name; });
    return found == profiles.end() ? nullptr : &*found;
}

const Pipeline* Settings::find_pipeline(std::string_view in, std::string_view out) const {
    auto found = std::find_if(pipelines.begin(), pipelines.end(), [&](const Pipeline& pipeline) {
        return pipeline.in == in && pipeline.out == out;
    });
    return found == pipelines.end() ? nullptr : &*found;
}

std::string Settings::profile_names() const {
    if (profiles.empty()) return "none";
    std::string names;
    for (const Profile& profile : profiles) {
        if (!names.empty()) names += ", ";
        names += profile.name;
    }
    return names;
}

Expected<Settings> parse_settings(std::string_view toml_text, std::string_view origin) {
    toml::table root;
    try {
        root = toml::parse(toml_text, origin);
    } catch (const toml::parse_error& error) {
        const toml::source_position& position = error.source().begin;
        return usage_error(std::string(origin) + ":" + std::to_string(position.line) + ":" +
                           std::to_string(position.column) + ": " +
                           std::string(error.description()));
    }
    return SettingsParser(origin).parse(root);
}

Expected<Settings> load_settings_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return Error{"cannot read settings file '" + path.string() + "': " + std::strerror(errno)};
    }
    const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (file.bad()) {
        return Error{"cannot read settings file '" + path.string() + "': " + std::strerror(errno)};
    }
    return parse_settings(text, path.string());
}

Expected<std::optional<fs::path>> locate_settings_file(
    const std::optional<std::string>& explicit_path, const Environment& env,
    const fs::path& working_dir) {
    if (explicit_path) {
        if (explicit_path->empty()) return usage_error("-F needs a settings file path");
        return required_file(working_dir / *explicit_path, "-F");
    }
    if (auto from_environment = non_empty_variable(env, "KPIPE_CONFIG")) {
        return required_file(working_dir / *from_environment, "$KPIPE_CONFIG");
    }
    if (fs::path local = working_dir / "kpipe.toml"; file_state(local) == FileState::regular_file) {
        return std::optional<fs::path>(local);
    }
    if (auto directory = user_config_directory(env)) {
        if (fs::path user = *directory / "kpipe" / "kpipe.toml";
            file_state(user) == FileState::regular_file) {
            return std::optional<fs::path>(user);
        }
    }
    return std::optional<fs::path>();
}

}  // namespace kpipe::config
