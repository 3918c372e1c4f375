#include "config/client_settings.hpp"

#include <catch2/catch.hpp>

using kpipe::config::ClientSettings;
using kpipe::config::CommandLineSettings;
using kpipe::config::Environment;
using kpipe::config::fixed_environment;
using kpipe::config::parse_settings;
using kpipe::config::resolve_client_settings;
using kpipe::config::Settings;

namespace {

using Properties = std::vector<std::pair<std::string, std::string>>;

Settings settings_from(const std::string& text) {
    auto settings = parse_settings(text, "kpipe.toml");
    INFO((settings ? std::string() : settings.error().message));
    REQUIRE(settings);
    return std::move(settings).value();
}

ClientSettings resolve_ok(const Settings* settings, const CommandLineSettings& command_line,
                          const Environment& env) {
    auto resolved = resolve_client_settings(settings, command_line, env);
    INFO((resolved ? std::string() : resolved.error().message));
    REQUIRE(resolved);
    return std::move(resolved).value();
}

std::string resolve_error(const Settings* settings, const CommandLineSettings& command_line,
                          const Environment& env) {
    auto resolved = resolve_client_settings(settings, command_line, env);
    REQUIRE_FALSE(resolved);
    return resolved.error().message;
}

const Environment no_variables = fixed_environment({});

const char* const two_profiles = R"(
[profiles.local]
brokers = "local:9092"
[profiles.local.properties]
"linger.ms" = 5
"client.id" = "from-local"
[profiles.prod]
brokers = "prod:9093"
[profiles.prod.properties]
"security.protocol" = "SASL_SSL"
"sasl.password" = "env:PROD_PASSWORD"
)";

}  // namespace

TEST_CASE("client settings: with nothing configured, brokers default to localhost:9092",
          "[config]") {
    const ClientSettings resolved = resolve_ok(nullptr, {}, no_variables);
    CHECK(resolved.brokers == "localhost:9092");
    CHECK(resolved.brokers_origin == "built-in default");
    CHECK(resolved.properties.empty());
    CHECK_FALSE(resolved.profile);
}

TEST_CASE("client settings: brokers precedence is default < profile < KPIPE_BROKERS < -b",
          "[config]") {
    const Settings settings = settings_from(two_profiles);
    const auto env = fixed_environment({{"KPIPE_BROKERS", "env:1"}});
    CommandLineSettings command_line{.profile = "local"};

    CHECK(resolve_ok(&settings, {}, no_variables).brokers == "localhost:9092");
    CHECK(resolve_ok(&settings, command_line, no_variables).brokers == "local:9092");
    CHECK(resolve_ok(&settings, command_line, env).brokers == "env:1");
    CHECK(resolve_ok(&settings, command_line, env).brokers_origin == "$KPIPE_BROKERS");
    command_line.brokers = "flag:2";
    CHECK(resolve_ok(&settings, command_line, env).brokers == "flag:2");
    CHECK(resolve_ok(&settings, command_line, env).brokers_origin == "-b");
}

TEST_CASE("client settings: an empty KPIPE_BROKERS counts as unset, an empty -b is an error",
          "[config]") {
    const Settings settings = settings_from(two_profiles);
    CHECK(resolve_ok(&settings, {.profile = "local"}, fixed_environment({{"KPIPE_BROKERS", ""}}))
              .brokers == "local:9092");
    CHECK_THAT(resolve_error(&settings, {.brokers = ""}, no_variables),
               Catch::StartsWith("-b needs a broker list"));
}

TEST_CASE("client settings: -X follows the profile's properties, and a later -X wins", "[config]") {
    const Settings settings = settings_from(two_profiles);
    const ClientSettings resolved = resolve_ok(
        &settings,
        {.properties = {"client.id=from-flag", "acks=all", "acks=1", "empty="}, .profile = "local"},
        no_variables);
    CHECK(resolved.properties == Properties{{"linger.ms", "5"},
                                            {"client.id", "from-local"},
                                            {"client.id", "from-flag"},
                                            {"acks", "all"},
                                            {"acks", "1"},
                                            {"empty", ""}});
}

TEST_CASE("client settings: a value may itself contain '='", "[config]") {
    const ClientSettings resolved =
        resolve_ok(nullptr, {.properties = {"sasl.oauthbearer.config=a=b c=d"}}, no_variables);
    CHECK(resolved.properties == Properties{{"sasl.oauthbearer.config", "a=b c=d"}});
}

TEST_CASE("client settings: -X bootstrap.servers is -b by another name", "[config]") {
    const ClientSettings resolved =
        resolve_ok(nullptr, {.brokers = "flag:1", .properties = {"bootstrap.servers=x:1"}},
                   fixed_environment({{"KPIPE_BROKERS", "env:1"}}));
    CHECK(resolved.brokers == "x:1");
    CHECK(resolved.brokers_origin == "-X bootstrap.servers");
    CHECK(resolved.properties.empty());
}

TEST_CASE("client settings: -X must be KEY=VALUE", "[config]") {
    CHECK(resolve_error(nullptr, {.properties = {"foo"}}, no_variables) ==
          "-X 'foo' is not KEY=VALUE");
    auto resolved = resolve_client_settings(nullptr, {.properties = {"foo"}}, no_variables);
    REQUIRE_FALSE(resolved);
    CHECK(resolved.error().kind == kpipe::ErrorKind::usage);
    // The value of "=hunter2" might be a password: the message must not echo it.
    const std::string message = resolve_error(nullptr, {.properties = {"=hunter2"}}, no_variables);
    CHECK_THAT(message, Catch::Contains("empty property name"));
    CHECK_THAT(message, !Catch::Contains("hunter2"));
}

TEST_CASE("client settings: profile selection order", "[config]") {
    const char* const text = R"(
default_profile = "local"
[profiles.default]
brokers = "default:1"
[profiles.local]
brokers = "local:1"
[profiles.prod]
brokers = "prod:1"
[profiles.staging]
brokers = "staging:1"
)";
    const Settings settings = settings_from(text);
    const auto env = fixed_environment({{"KPIPE_PROFILE", "staging"}});

    SECTION("--profile first") {
        const ClientSettings resolved = resolve_ok(&settings, {.profile = "prod"}, env);
        CHECK(resolved.profile == "prod");
        CHECK(resolved.profile_origin == "--profile");
        CHECK(resolved.brokers == "prod:1");
    }
    SECTION("then $KPIPE_PROFILE") {
        const ClientSettings resolved = resolve_ok(&settings, {}, env);
        CHECK(resolved.profile == "staging");
        CHECK(resolved.profile_origin == "$KPIPE_PROFILE");
    }
    SECTION("then default_profile; an empty $KPIPE_PROFILE counts as unset") {
        const ClientSettings resolved =
            resolve_ok(&settings, {}, fixed_environment({{"KPIPE_PROFILE", ""}}));
        CHECK(resolved.profile == "local");
        CHECK_THAT(resolved.profile_origin, Catch::StartsWith("default_profile in kpipe.toml"));
    }
    SECTION("then the profile named default") {
        Settings without_default = settings;
        without_default.default_profile.reset();
        CHECK(resolve_ok(&without_default, {}, no_variables).profile == "default");
        CHECK(resolve_ok(&without_default, {}, no_variables).brokers == "default:1");
    }
    SECTION("else none") {
        const Settings plain = settings_from("[profiles.local]\nbrokers = \"local:1\"\n");
        const ClientSettings resolved = resolve_ok(&plain, {}, no_variables);
        CHECK_FALSE(resolved.profile);
        CHECK(resolved.brokers == "localhost:9092");
    }
    SECTION("--profile '' selects none, overriding everything else") {
        const ClientSettings resolved = resolve_ok(&settings, {.profile = ""}, env);
        CHECK_FALSE(resolved.profile);
        CHECK(resolved.brokers == "localhost:9092");
    }
}

TEST_CASE("client settings: a missing profile is an error listing the available ones", "[config]") {
    const Settings settings = settings_from(two_profiles);
    const std::string message = resolve_error(&settings, {.profile = "prd"}, no_variables);
    CHECK_THAT(message, Catch::Contains("profile 'prd' (from --profile) is not in kpipe.toml"));
    CHECK_THAT(message, Catch::EndsWith("available profiles: local, prod"));
    CHECK(resolve_client_settings(&settings, {.profile = "prd"}, no_variables).error().kind ==
          kpipe::ErrorKind::usage);

    CHECK_THAT(resolve_error(&settings, {}, fixed_environment({{"KPIPE_PROFILE", "qa"}})),
               Catch::Contains("profile 'qa' (from $KPIPE_PROFILE)"));
}

TEST_CASE("client settings: a profile asked for without a settings file is an error", "[config]") {
    CHECK_THAT(resolve_error(nullptr, {.profile = "prod"}, no_variables),
               Catch::Contains("profile 'prod' (from --profile)") &&
                   Catch::Contains("no settings file was found"));
    CHECK_FALSE(resolve_ok(nullptr, {.profile = ""}, no_variables).profile);
}

TEST_CASE("client settings: secret references are resolved in profile and -X values", "[config]") {
    const Settings settings = settings_from(two_profiles);
    const auto env = fixed_environment({{"PROD_PASSWORD", "pr0d-s3cr3t"}, {"TOKEN", "t0k3n"}});
    const ClientSettings resolved = resolve_ok(
        &settings, {.properties = {"sasl.oauthbearer.config=env:TOKEN"}, .profile = "prod"}, env);
    CHECK(resolved.properties == Properties{{"security.protocol", "SASL_SSL"},
                                            {"sasl.password", "pr0d-s3cr3t"},
                                            {"sasl.oauthbearer.config", "t0k3n"}});
}

TEST_CASE("client settings: unresolvable secret references name the property, not a secret",
          "[config]") {
    const Settings settings = settings_from(two_profiles);
    SECTION("in the profile") {
        const std::string message = resolve_error(&settings, {.profile = "prod"}, no_variables);
        CHECK_THAT(message, Catch::Contains("profile 'prod' property 'sasl.password'") &&
                                Catch::Contains("PROD_PASSWORD") && Catch::Contains("is not set"));
    }
    SECTION("on the command line") {
        const auto env = fixed_environment({{"PROD_PASSWORD", "pr0d-s3cr3t"}});
        const std::string message = resolve_error(
            &settings,
            {.properties = {"sasl.password=@/nonexistent/kpipe-secret"}, .profile = "prod"}, env);
        CHECK_THAT(message, Catch::StartsWith("-X sasl.password: ") &&
                                Catch::Contains("/nonexistent/kpipe-secret"));
        CHECK_THAT(message, !Catch::Contains("pr0d-s3cr3t"));
    }
}

TEST_CASE("client settings: describe() lists everything and redacts secrets", "[config]") {
    const Settings settings = settings_from(two_profiles);
    const auto env = fixed_environment({{"PROD_PASSWORD", "pr0d-s3cr3t"}});
    const ClientSettings resolved =
        resolve_ok(&settings,
                   {.brokers = "b:1",
                    .properties = {"ssl.key.pem=PRIVATE-KEY", "linger.ms=7"},
                    .profile = "prod"},
                   env);
    const std::string text = resolved.describe();
    CHECK_THAT(text, Catch::Contains("profile: prod (--profile)"));
    CHECK_THAT(text, Catch::Contains("brokers: b:1 (from -b)"));
    CHECK_THAT(text, Catch::Contains("  security.protocol = SASL_SSL\n"));
    CHECK_THAT(text, Catch::Contains("  sasl.password = [redacted]\n"));
    CHECK_THAT(text, Catch::Contains("  ssl.key.pem = [redacted]\n"));
    CHECK_THAT(text, Catch::Contains("  linger.ms = 7\n"));
    CHECK_THAT(text, !Catch::Contains("pr0d-s3cr3t"));
    CHECK_THAT(text, !Catch::Contains("PRIVATE-KEY"));

    CHECK(resolve_ok(nullptr, {}, no_variables).describe() ==
          "profile: none (no settings file)\n"
          "brokers: localhost:9092 (from built-in default)\n"
          "properties: none\n");
}
