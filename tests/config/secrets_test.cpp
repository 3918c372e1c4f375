#include "config/secrets.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

using kpipe::config::fixed_environment;
using kpipe::config::is_secret_property;
using kpipe::config::redacted_value;
using kpipe::config::resolve_secret_reference;
namespace fs = std::filesystem;

namespace {

// A fresh file path under the system temp dir; the file is removed at the end of the test.
class TemporaryFile {
  public:
    explicit TemporaryFile(const std::string& contents) {
        std::random_device random;
        path_ = fs::temp_directory_path() / ("kpipe-secret-test-" + std::to_string(random()));
        std::ofstream(path_, std::ios::binary) << contents;
    }
    ~TemporaryFile() {
        std::error_code ignored;
        fs::remove(path_, ignored);
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    std::string reference() const { return "@" + path_.string(); }

  private:
    fs::path path_;
};

const kpipe::config::Environment no_variables = fixed_environment({});

std::string resolve_ok(const std::string& value,
                       const kpipe::config::Environment& env = no_variables) {
    auto resolved = resolve_secret_reference(value, env);
    INFO((resolved ? std::string() : resolved.error().message));
    REQUIRE(resolved);
    return *resolved;
}

}  // namespace

TEST_CASE("secrets: plain values pass through unchanged", "[config]") {
    CHECK(resolve_ok("SASL_SSL") == "SASL_SSL");
    CHECK(resolve_ok("") == "");
    CHECK(resolve_ok("a@b") == "a@b");
    CHECK(resolve_ok("environment:X") == "environment:X");
}

TEST_CASE("secrets: @file reads the file and trims one trailing newline", "[config]") {
    SECTION("\\n") {
        TemporaryFile file("hunter2\n");
        CHECK(resolve_ok(file.reference()) == "hunter2");
    }
    SECTION("\\r\\n") {
        TemporaryFile file("hunter2\r\n");
        CHECK(resolve_ok(file.reference()) == "hunter2");
    }
    SECTION("only one newline") {
        TemporaryFile file("hunter2\n\n");
        CHECK(resolve_ok(file.reference()) == "hunter2\n");
    }
    SECTION("no newline, inner newlines and spaces kept") {
        TemporaryFile file(" line one\nline two ");
        CHECK(resolve_ok(file.reference()) == " line one\nline two ");
    }
    SECTION("an empty file") {
        TemporaryFile file("");
        CHECK(resolve_ok(file.reference()) == "");
    }
}

TEST_CASE("secrets: a missing secret file is an error naming the path", "[config]") {
    const std::string path =
        (fs::temp_directory_path() / "kpipe-secret-test-does-not-exist").string();
    auto resolved = resolve_secret_reference("@" + path, no_variables);
    REQUIRE_FALSE(resolved);
    CHECK_THAT(resolved.error().message,
               Catch::Contains(path) && Catch::Contains("No such file or directory"));

    auto empty = resolve_secret_reference("@", no_variables);
    REQUIRE_FALSE(empty);
    CHECK_THAT(empty.error().message, Catch::Contains("names no file"));
}

TEST_CASE("secrets: env:NAME reads the variable", "[config]") {
    const auto env = fixed_environment({{"KAFKA_PASSWORD", "s3cr3t"}, {"EMPTY", ""}});
    CHECK(resolve_ok("env:KAFKA_PASSWORD", env) == "s3cr3t");
    CHECK(resolve_ok("env:EMPTY", env) == "");
}

TEST_CASE("secrets: an unset variable is an error that names it", "[config]") {
    const auto env = fixed_environment({{"KAFKA_PASSWORD", "s3cr3t"}});
    auto resolved = resolve_secret_reference("env:KAFKA_PASSWRD", env);
    REQUIRE_FALSE(resolved);
    CHECK_THAT(resolved.error().message,
               Catch::Contains("KAFKA_PASSWRD") && Catch::Contains("is not set"));
    CHECK_THAT(resolved.error().message, !Catch::Contains("s3cr3t"));

    auto unnamed = resolve_secret_reference("env:", env);
    REQUIRE_FALSE(unnamed);
    CHECK_THAT(unnamed.error().message, Catch::Contains("names no variable"));
}

TEST_CASE("secrets: @@ escapes a literal leading @", "[config]") {
    CHECK(resolve_ok("@@not-a-file") == "@not-a-file");
    CHECK(resolve_ok("@@") == "@");
}

TEST_CASE("secrets: which properties are secret", "[config]") {
    for (const char* name :
         {"password", "secret", "sasl.password", "sasl.oauthbearer.config",
          "sasl.oauthbearer.client.secret", "ssl.key.pem", "ssl.keystore.password",
          "ssl.key.password", "sasl.jaas.config", "my.token", "SASL.PASSWORD", "client_secret"}) {
        INFO(name);
        CHECK(is_secret_property(name));
    }
    for (const char* name : {"sasl.username", "bootstrap.servers", "ssl.ca.location",
                             "ssl.certificate.pem", "security.protocol", "linger.ms", ""}) {
        INFO(name);
        CHECK_FALSE(is_secret_property(name));
    }
}

TEST_CASE("secrets: redacted_value hides secret properties only", "[config]") {
    CHECK(redacted_value("sasl.password", "hunter2") == "[redacted]");
    CHECK(redacted_value("sasl.jaas.config", "x") == "[redacted]");
    CHECK(redacted_value("sasl.username", "kpipe") == "kpipe");
    CHECK(redacted_value("linger.ms", "5") == "5");
}

TEST_CASE("secrets: secret_texts lists secret values, not other properties", "[config]") {
    const auto texts = kpipe::config::secret_texts({{"sasl.username", "alice-the-user"},
                                                    {"sasl.password", "hunter2hunter2"},
                                                    {"ssl.key.password", "abc"},
                                                    {"ssl.keystore.password", "hunter2hunter2"},
                                                    {"linger.ms", "5000"}});
    // Once each; a three-character password is too short to scrub everywhere.
    CHECK(texts == std::vector<std::string>{"hunter2hunter2"});
}

TEST_CASE("secrets: multi-setting configs contribute each value too", "[config]") {
    const auto texts = kpipe::config::secret_texts(
        {{"sasl.oauthbearer.config", "principal=admin lifeSeconds=SECRETLIFE scope=ab"},
         {"sasl.jaas.config", "PlainLoginModule required password=\"jaaspass\";"}});
    for (const char* expected :
         {"principal=admin lifeSeconds=SECRETLIFE scope=ab", "SECRETLIFE", "admin", "jaaspass"}) {
        INFO(expected);
        CHECK(std::find(texts.begin(), texts.end(), expected) != texts.end());
    }
    CHECK(std::find(texts.begin(), texts.end(), "ab") == texts.end());
    // Longest first: the whole config is replaced before its parts.
    CHECK(std::is_sorted(texts.begin(), texts.end(),
                         [](const auto& a, const auto& b) { return a.size() > b.size(); }));
}

TEST_CASE("secrets: scrub_secret_texts replaces every occurrence", "[config]") {
    using kpipe::config::scrub_secret_texts;
    CHECK(scrub_secret_texts("pw hunter2x and hunter2x again", {"hunter2x"}) ==
          "pw [redacted] and [redacted] again");
    CHECK(scrub_secret_texts("nothing here", {"hunter2x"}) == "nothing here");
    CHECK(scrub_secret_texts("aaaa", {"aa"}) == "[redacted][redacted]");
    CHECK(scrub_secret_texts("x", {""}) == "x");
}

TEST_CASE("secrets: librdkafka's config parser complaints lose what they quote", "[config]") {
    using kpipe::config::redact_secret_property_details;
    CHECK(redact_secret_property_details(
              "Failed to acquire SASL OAUTHBEARER token: Invalid sasl.oauthbearer.config: "
              "non-integral 'lifeSeconds=': TOPSECRET") ==
          "Failed to acquire SASL OAUTHBEARER token: Invalid sasl.oauthbearer.config: [redacted]");
    CHECK(redact_secret_property_details(
              "Unrecognized sasl.oauthbearer.config beginning at: principalX=TOPSECRET") ==
          "Unrecognized sasl.oauthbearer.config beginning at: [redacted]");
    const std::string unrelated =
        "ssl://h:1/bootstrap: SSL handshake failed: verify that ssl.ca.location is configured";
    CHECK(redact_secret_property_details(unrelated) == unrelated);
}
