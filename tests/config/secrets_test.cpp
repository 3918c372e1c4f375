#include "config/secrets.hpp"

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
