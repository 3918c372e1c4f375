#include "config/settings.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <random>

using kpipe::config::fixed_environment;
using kpipe::config::locate_settings_file;
using kpipe::config::parse_settings;
using kpipe::config::Settings;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TemporaryDirectory {
  public:
    TemporaryDirectory() {
        std::random_device random;
        path_ = fs::temp_directory_path() / ("kpipe-settings-test-" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

Settings parse_ok(const std::string& text) {
    auto settings = parse_settings(text, "test.toml");
    INFO((settings ? std::string() : settings.error().message));
    REQUIRE(settings);
    return std::move(settings).value();
}

std::string parse_error(const std::string& text) {
    auto settings = parse_settings(text, "test.toml");
    REQUIRE_FALSE(settings);
    return settings.error().message;
}

using Properties = std::vector<std::pair<std::string, std::string>>;

// The repository's examples/kpipe.toml. CMake passes the tests' data directory; a hand-run
// compile falls back to this source file's location.
fs::path example_settings_file() {
#ifdef KPIPE_TEST_DATA_DIR
    const fs::path repository = fs::path(KPIPE_TEST_DATA_DIR).parent_path().parent_path();
#else
    const fs::path repository = fs::path(__FILE__).parent_path().parent_path().parent_path();
#endif
    return repository / "examples" / "kpipe.toml";
}

}  // namespace

TEST_CASE("settings: the documented layout parses", "[config]") {
    const Settings settings = parse_ok(R"(
default_profile = "local"
[profiles.local]
brokers = "localhost:9092"
[profiles.local.properties]
"linger.ms" = 5
[pipelines.login]
in = "user-login"
out = "processed-login"
filter = "{user_id, locale, timestamp}"
dlq = "user-login-dlq"
group = "kpipe-login"
)");
    CHECK(settings.origin == "test.toml");
    CHECK(settings.default_profile == "local");
    REQUIRE(settings.profiles.size() == 1);
    CHECK(settings.profiles[0].name == "local");
    CHECK(settings.profiles[0].brokers == "localhost:9092");
    CHECK(settings.profiles[0].properties == Properties{{"linger.ms", "5"}});
    REQUIRE(settings.pipelines.size() == 1);
    const auto& pipeline = settings.pipelines[0];
    CHECK(pipeline.name == "login");
    CHECK(pipeline.in == "user-login");
    CHECK(pipeline.out == "processed-login");
    CHECK(pipeline.filter == "{user_id, locale, timestamp}");
    CHECK(pipeline.dlq == "user-login-dlq");
    CHECK(pipeline.group == "kpipe-login");
}

TEST_CASE("settings: an empty file has nothing in it", "[config]") {
    const Settings settings = parse_ok("");
    CHECK_FALSE(settings.default_profile);
    CHECK(settings.profiles.empty());
    CHECK(settings.pipelines.empty());
    CHECK(settings.profile_names() == "none");
}

TEST_CASE("settings: property values are stringified for librdkafka", "[config]") {
    const Settings settings = parse_ok(R"(
[profiles.p.properties]
"client.id" = "kpipe"
"linger.ms" = 5
"batch.num.messages" = -1
"sticky.partitioning.linger.ms" = 0.5
"enable.idempotence" = true
"enable.auto.commit" = false
"debug" = ["broker", "topic"]
)");
    CHECK(settings.profiles[0].properties == Properties{{"client.id", "kpipe"},
                                                        {"linger.ms", "5"},
                                                        {"batch.num.messages", "-1"},
                                                        {"sticky.partitioning.linger.ms", "0.5"},
                                                        {"enable.idempotence", "true"},
                                                        {"enable.auto.commit", "false"},
                                                        {"debug", "broker,topic"}});
}

TEST_CASE("settings: unquoted dotted property names mean the same as quoted ones", "[config]") {
    const Settings settings = parse_ok(R"(
[profiles.p.properties]
linger.ms = 5
security.protocol = "SASL_SSL"
"sasl.mechanisms" = "PLAIN"
)");
    CHECK(settings.profiles[0].properties == Properties{{"linger.ms", "5"},
                                                        {"security.protocol", "SASL_SSL"},
                                                        {"sasl.mechanisms", "PLAIN"}});
}

TEST_CASE("settings: profiles, pipelines and properties keep file order", "[config]") {
    const Settings settings = parse_ok(R"(
[profiles.zulu]
brokers = "z:9092"
[profiles.zulu.properties]
"z.last" = 1
"a.first" = 2
[profiles.alpha]
brokers = "a:9092"
[pipelines.second]
in = "b"
out = "c"
[pipelines.first]
in = "a"
out = "b"
)");
    REQUIRE(settings.profiles.size() == 2);
    CHECK(settings.profiles[0].name == "zulu");
    CHECK(settings.profiles[1].name == "alpha");
    CHECK(settings.profile_names() == "zulu, alpha");
    CHECK(settings.profiles[0].properties == Properties{{"z.last", "1"}, {"a.first", "2"}});
    REQUIRE(settings.pipelines.size() == 2);
    CHECK(settings.pipelines[0].name == "second");
    CHECK(settings.pipelines[1].name == "first");
}

TEST_CASE("settings: brokers may be an array, and bootstrap.servers is the same as brokers",
          "[config]") {
    const Settings settings = parse_ok(R"(
[profiles.list]
brokers = ["k1:9093", "k2:9093"]
[profiles.property.properties]
"bootstrap.servers" = "k3:9093"
"client.id" = "x"
)");
    CHECK(settings.profiles[0].brokers == "k1:9093,k2:9093");
    CHECK(settings.profiles[1].brokers == "k3:9093");
    CHECK(settings.profiles[1].properties == Properties{{"client.id", "x"}});

    CHECK_THAT(parse_error(R"(
[profiles.both]
brokers = "a:1"
[profiles.both.properties]
"bootstrap.servers" = "b:2"
)"),
               Catch::Contains("test.toml:5:1: ") && Catch::Contains("sets both brokers"));
}

TEST_CASE("settings: find_profile and find_pipeline", "[config]") {
    const Settings settings = parse_ok(R"(
[profiles.local]
[pipelines.login]
in = "user-login"
out = "processed-login"
)");
    REQUIRE(settings.find_profile("local") != nullptr);
    CHECK_FALSE(settings.find_profile("local")->brokers);
    CHECK(settings.find_profile("prod") == nullptr);
    REQUIRE(settings.find_pipeline("user-login", "processed-login") != nullptr);
    CHECK(settings.find_pipeline("user-login", "processed-login")->name == "login");
    CHECK_FALSE(settings.find_pipeline("user-login", "processed-login")->filter);
    CHECK(settings.find_pipeline("processed-login", "user-login") == nullptr);
}

TEST_CASE("settings: TOML syntax errors give origin, line and column", "[config]") {
    CHECK_THAT(parse_error("default_profile = \"local\"\n[profiles.local]\nbrokers = \n"),
               Catch::StartsWith("test.toml:3:"));
    CHECK_THAT(parse_error("[profiles.a]\n[profiles.a]\n"), Catch::StartsWith("test.toml:2:1: "));
    CHECK_THAT(parse_error("x = [1,\n"), Catch::StartsWith("test.toml:"));
}

TEST_CASE("settings: unknown keys are errors naming the key and the file", "[config]") {
    SECTION("top level, with a suggestion") {
        const std::string message = parse_error("default_profile = \"a\"\n[profile.a]\n");
        CHECK_THAT(message, Catch::StartsWith("test.toml:2:"));
        CHECK_THAT(message, Catch::Contains("unknown key 'profile'"));
        CHECK_THAT(message, Catch::Contains("did you mean 'profiles'?"));
    }
    SECTION("top level, nothing close") {
        const std::string message = parse_error("\n\ncolour = 1\n");
        CHECK_THAT(message, Catch::StartsWith("test.toml:3:1: unknown key 'colour'"));
        CHECK_THAT(message, !Catch::Contains("did you mean"));
    }
    SECTION("inside a profile: a librdkafka property in the wrong place") {
        const std::string message =
            parse_error("[profiles.prod]\nbrokers = \"a:1\"\n\"security.protocol\" = \"SSL\"\n");
        CHECK_THAT(message, Catch::StartsWith("test.toml:3:1: "));
        CHECK_THAT(message, Catch::Contains("unknown key 'security.protocol' in profile 'prod'"));
        CHECK_THAT(message, Catch::Contains("[profiles.prod.properties]"));
    }
    SECTION("inside a profile: a typo") {
        CHECK_THAT(
            parse_error("[profiles.prod]\nbroker = \"a:1\"\n"),
            Catch::Contains("unknown key 'broker'") && Catch::Contains("did you mean 'brokers'?"));
    }
    SECTION("inside a pipeline") {
        const std::string message =
            parse_error("[pipelines.login]\nin = \"a\"\nout = \"b\"\nfliter = \".\"\n");
        CHECK_THAT(message, Catch::StartsWith("test.toml:4:1: "));
        CHECK_THAT(message, Catch::Contains("unknown key 'fliter' in pipeline 'login'"));
        CHECK_THAT(message, Catch::Contains("did you mean 'filter'?"));
    }
}

TEST_CASE("settings: pipelines need in and out", "[config]") {
    CHECK_THAT(parse_error("[pipelines.login]\nin = \"user-login\"\n"),
               Catch::StartsWith("test.toml:1:") &&
                   Catch::Contains("pipeline 'login' needs both 'in' and 'out'") &&
                   Catch::Contains("missing 'out'"));
    CHECK_THAT(parse_error("[pipelines.login]\nout = \"processed-login\"\n"),
               Catch::Contains("missing 'in'"));
    CHECK_THAT(parse_error("[pipelines.login]\nin = \"\"\nout = \"b\"\n"),
               Catch::StartsWith("test.toml:2:1: ") && Catch::Contains("must not be empty"));
}

TEST_CASE("settings: two pipelines for one in/out pair are an error", "[config]") {
    CHECK_THAT(parse_error(R"(
[pipelines.a]
in = "x"
out = "y"
[pipelines.b]
in = "x"
out = "y"
)"),
               Catch::Contains("pipelines 'a' and 'b' both read 'x' and write 'y'"));
}

TEST_CASE("settings: values of the wrong type are errors", "[config]") {
    CHECK_THAT(parse_error("default_profile = 3\n"),
               Catch::StartsWith("test.toml:1:1: ") && Catch::Contains("must be a string"));
    CHECK_THAT(parse_error("profiles = 3\n"), Catch::Contains("profiles must be a table"));
    CHECK_THAT(parse_error("pipelines = \"x\"\n"), Catch::Contains("pipelines must be a table"));
    CHECK_THAT(parse_error("[profiles]\nlocal = 1\n"),
               Catch::Contains("profile 'local' must be a table"));
    CHECK_THAT(parse_error("[profiles.a]\nproperties = \"x\"\n"),
               Catch::Contains("properties must be a table"));
    CHECK_THAT(parse_error("[profiles.a]\nbrokers = 9092\n"),
               Catch::Contains("profile 'a' brokers must be a string or an array of strings"));
    CHECK_THAT(parse_error("[profiles.a]\nbrokers = []\n"),
               Catch::Contains("profile 'a' brokers must not be empty"));
    CHECK_THAT(parse_error("[profiles.a.properties]\n\"x.y\" = 1979-05-27\n"),
               Catch::StartsWith("test.toml:2:1: ") && Catch::Contains("property 'x.y'"));
    CHECK_THAT(parse_error("[pipelines.a]\nin = 1\nout = \"b\"\n"),
               Catch::Contains("pipeline 'a' in must be a string"));
}

// Found by tests/fuzz/settings_fuzz.cpp: a profile named "" was accepted, and listed as nothing.
TEST_CASE("settings: profiles and pipelines need names", "[config]") {
    CHECK_THAT(parse_error("[profiles]\n\"\" = { }\n"),
               Catch::StartsWith("test.toml:2:1: ") && Catch::Contains("a profile needs a name"));
    CHECK_THAT(parse_error("[profiles.\"\"]\nbrokers = \"b:9092\"\n"),
               Catch::Contains("a profile needs a name"));
    CHECK_THAT(parse_error("[pipelines.\"\"]\nin = \"a\"\nout = \"b\"\n"),
               Catch::Contains("a pipeline needs a name"));
}

TEST_CASE("settings: a property set twice is an error", "[config]") {
    CHECK_THAT(parse_error("[profiles.a.properties]\nlinger.ms = 1\n\"linger.ms\" = 2\n"),
               Catch::Contains("sets property 'linger.ms' twice"));
}

TEST_CASE("settings: default_profile must name a profile", "[config]") {
    CHECK_THAT(parse_error("default_profile = \"prod\"\n[profiles.local]\n[profiles.dev]\n"),
               Catch::StartsWith("test.toml:1:1: default_profile 'prod' is not a profile") &&
                   Catch::Contains("local, dev"));
}

TEST_CASE("settings: load_settings_file reads and names the file", "[config]") {
    TemporaryDirectory directory;
    const fs::path path = directory.path() / "kpipe.toml";
    write_file(path, "[profiles.local]\nbrokers = \"h:1\"\n[pipelines.x]\nin = 1\n");
    auto settings = kpipe::config::load_settings_file(path);
    REQUIRE_FALSE(settings);
    CHECK_THAT(settings.error().message, Catch::StartsWith(path.string() + ":4:1: "));

    auto missing = kpipe::config::load_settings_file(directory.path() / "absent.toml");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message,
               Catch::Contains("absent.toml") && Catch::Contains("No such file or directory"));
}

TEST_CASE("settings: the example settings file parses and holds the seed pipeline", "[config]") {
    const fs::path example = example_settings_file();
    auto settings = kpipe::config::load_settings_file(example);
    INFO((settings ? std::string() : settings.error().message));
    REQUIRE(settings);
    CHECK(settings->default_profile == "local");
    REQUIRE(settings->find_profile("local") != nullptr);
    const auto* pipeline = settings->find_pipeline("user-login", "processed-login");
    REQUIRE(pipeline != nullptr);
    CHECK(pipeline->name == "login");
    CHECK(pipeline->filter == "{user_id, locale, timestamp}");
    CHECK(pipeline->dlq == "user-login-dlq");
    CHECK(pipeline->group == "kpipe-login");
}

TEST_CASE("settings: the commented-out prod profile in the example parses", "[config]") {
    const fs::path example = example_settings_file();
    std::ifstream file(example);
    REQUIRE(file);
    // Uncomment the prod block the way a user would: drop one leading "# " from its lines.
    std::string text;
    bool in_prod = false;
    for (std::string line; std::getline(file, line);) {
        if (line.starts_with("# [profiles.prod]")) in_prod = true;
        if (in_prod && line.starts_with("# ")) line = line.substr(2);
        if (in_prod && line.empty()) in_prod = false;
        if (in_prod && line == "#") line.clear();
        text += line + "\n";
    }
    const Settings settings = parse_ok(text);
    const auto* prod = settings.find_profile("prod");
    REQUIRE(prod != nullptr);
    CHECK(prod->brokers ==
          "kafka-1.example.com:9093,kafka-2.example.com:9093,kafka-3.example.com:9093");
    CHECK(std::find(prod->properties.begin(), prod->properties.end(),
                    std::pair<std::string, std::string>{
                        "sasl.password", "env:KPIPE_PROD_PASSWORD"}) != prod->properties.end());
}

TEST_CASE("settings: discovery order is -F, $KPIPE_CONFIG, ./kpipe.toml, XDG", "[config]") {
    TemporaryDirectory directory;
    const fs::path work = directory.path() / "work";
    const fs::path home = directory.path() / "home";
    const fs::path xdg = directory.path() / "xdg";
    fs::create_directories(work);
    write_file(directory.path() / "explicit.toml", "");
    write_file(directory.path() / "from-env.toml", "");
    write_file(work / "kpipe.toml", "");
    write_file(xdg / "kpipe" / "kpipe.toml", "");
    write_file(home / ".config" / "kpipe" / "kpipe.toml", "");

    auto locate = [&](std::optional<std::string> explicit_path,
                      std::map<std::string, std::string, std::less<>> variables) {
        return locate_settings_file(explicit_path, fixed_environment(std::move(variables)), work);
    };
    const std::map<std::string, std::string, std::less<>> all = {
        {"KPIPE_CONFIG", (directory.path() / "from-env.toml").string()},
        {"XDG_CONFIG_HOME", xdg.string()},
        {"HOME", home.string()}};

    SECTION("-F wins, relative to the working directory") {
        auto found = locate("../explicit.toml", all);
        REQUIRE(found);
        REQUIRE(*found);
        CHECK(fs::equivalent(**found, directory.path() / "explicit.toml"));
    }
    SECTION("then $KPIPE_CONFIG") {
        auto found = locate(std::nullopt, all);
        REQUIRE(found);
        CHECK(**found == directory.path() / "from-env.toml");
    }
    SECTION("then ./kpipe.toml; an empty $KPIPE_CONFIG counts as unset") {
        auto variables = all;
        variables["KPIPE_CONFIG"] = "";
        auto found = locate(std::nullopt, variables);
        REQUIRE(found);
        CHECK(**found == work / "kpipe.toml");
    }
    SECTION("then $XDG_CONFIG_HOME/kpipe/kpipe.toml") {
        fs::remove(work / "kpipe.toml");
        auto variables = all;
        variables.erase("KPIPE_CONFIG");
        auto found = locate(std::nullopt, variables);
        REQUIRE(found);
        CHECK(**found == xdg / "kpipe" / "kpipe.toml");
    }
    SECTION("then $HOME/.config/kpipe/kpipe.toml, also when XDG_CONFIG_HOME is relative") {
        fs::remove(work / "kpipe.toml");
        for (auto xdg_value : {std::optional<std::string>(), std::optional<std::string>("rel")}) {
            auto variables = all;
            variables.erase("KPIPE_CONFIG");
            variables.erase("XDG_CONFIG_HOME");
            if (xdg_value) variables["XDG_CONFIG_HOME"] = *xdg_value;
            auto found = locate(std::nullopt, variables);
            REQUIRE(found);
            CHECK(**found == home / ".config" / "kpipe" / "kpipe.toml");
        }
    }
    SECTION("nothing found and nothing asked for is not an error") {
        fs::remove(work / "kpipe.toml");
        auto found = locate(std::nullopt, {{"HOME", (directory.path() / "nowhere").string()}});
        REQUIRE(found);
        CHECK_FALSE(*found);
        auto no_home = locate(std::nullopt, {});
        REQUIRE(no_home);
        CHECK_FALSE(*no_home);
    }
    SECTION("a missing -F file is an error, even when others exist") {
        auto found = locate("missing.toml", all);
        REQUIRE_FALSE(found);
        CHECK_THAT(found.error().message,
                   Catch::Contains("missing.toml") && Catch::Contains("(from -F) does not exist"));
        CHECK(found.error().kind == kpipe::ErrorKind::usage);
    }
    SECTION("a directory given as -F is an error") {
        auto found = locate(directory.path().string(), all);
        REQUIRE_FALSE(found);
        CHECK_THAT(found.error().message, Catch::Contains("is not a regular file"));
    }
    SECTION("an empty -F is an error") {
        auto found = locate("", all);
        REQUIRE_FALSE(found);
    }
    SECTION("a missing $KPIPE_CONFIG file is an error") {
        auto variables = all;
        variables["KPIPE_CONFIG"] = (directory.path() / "gone.toml").string();
        auto found = locate(std::nullopt, variables);
        REQUIRE_FALSE(found);
        CHECK_THAT(found.error().message,
                   Catch::Contains("gone.toml") && Catch::Contains("(from $KPIPE_CONFIG)"));
    }
}
