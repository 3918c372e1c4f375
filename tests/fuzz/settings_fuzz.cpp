// The settings parser on arbitrary TOML text: it returns settings or an error that names the
// file, line and column, and the settings it returns keep their promises (names found by
// lookup, no two pipelines on one in/out pair, the default profile exists).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/settings.hpp"
#include "fuzz_check.hpp"

using kpipe::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = kpipe::fuzz::as_text(data, size);
    auto settings = kpipe::config::parse_settings(text, "fuzz.toml");
    if (!settings) {
        check(settings.error().message.rfind("fuzz.toml", 0) == 0, "errors name the file");
        return 0;
    }
    for (const auto& profile : settings->profiles) {
        check(settings->find_profile(profile.name) == &profile, "profiles are found by name");
    }
    for (const auto& pipeline : settings->pipelines) {
        check(settings->find_pipeline(pipeline.in, pipeline.out) == &pipeline,
              "pipelines are found by in/out");
    }
    if (settings->default_profile) {
        check(settings->find_profile(*settings->default_profile) != nullptr,
              "the default profile exists");
    }
    check(!settings->profile_names().empty(), "profile names are listed");
    return 0;
}
