#include "kafka/unsecured_jwt.hpp"

#include <catch2/catch.hpp>

#include "kafka/client_config.hpp"

using kpipe::kafka::check_unsecured_jwt_config;

namespace {

std::string error_of(std::string_view config) {
    auto status = check_unsecured_jwt_config(config);
    INFO(config);
    REQUIRE_FALSE(status);
    CHECK(status.error().kind == kpipe::ErrorKind::usage);
    return status.error().message;
}

}  // namespace

TEST_CASE("unsecured JWT: librdkafka's documented settings pass", "[kafka]") {
    CHECK(check_unsecured_jwt_config("principal=admin"));
    CHECK(
        check_unsecured_jwt_config(" principalClaimName=azp principal=admin scopeClaimName=roles "
                                   "scope=role1,role2 lifeSeconds=600 extension_traceId=123\n"));
}

TEST_CASE("unsecured JWT: errors name the setting, never a value", "[kafka]") {
    CHECK_THAT(error_of("principal=admin principalX=TOPSECRET"),
               Catch::Contains("unknown setting 'principalX'"));
    const auto life = error_of("principal=admin lifeSeconds=TOPSECRET");
    CHECK_THAT(life, Catch::Contains("lifeSeconds must be a positive whole number"));
    CHECK_THAT(error_of("TOPSECRET"), Catch::Contains("not NAME=VALUE"));
    CHECK_THAT(error_of("=TOPSECRET principal=a"), Catch::Contains("not NAME=VALUE"));
    CHECK_THAT(error_of("scope=TOPSECRET"), Catch::Contains("needs principal=NAME"));
    CHECK_THAT(error_of(""), Catch::Contains("needs principal=NAME"));
    CHECK_THAT(error_of("principal=a lifeSeconds=0"), Catch::Contains("lifeSeconds"));
    for (const auto& config : {"principal=admin principalX=TOPSECRET", "TOPSECRET",
                               "principal=admin lifeSeconds=TOPSECRET", "scope=TOPSECRET"}) {
        CHECK(error_of(config).find("TOPSECRET") == std::string::npos);
    }
}

TEST_CASE("unsecured JWT: build_conf checks the config only when librdkafka would use it",
          "[kafka]") {
    kpipe::config::ClientSettings settings;
    settings.brokers = "127.0.0.1:1";
    settings.properties = {{"security.protocol", "sasl_plaintext"},
                           {"sasl.mechanism", "OAUTHBEARER"},
                           {"sasl.oauthbearer.config", "lifeSeconds=TOPSECRET"}};
    CHECK(kpipe::kafka::build_conf(settings, {}));  // a token refresh callback's business
    settings.properties.emplace_back("enable.sasl.oauthbearer.unsecure.jwt", "true");
    auto conf = kpipe::kafka::build_conf(settings, {});
    REQUIRE_FALSE(conf);
    CHECK_THAT(conf.error().message, Catch::Contains("sasl.oauthbearer.config"));
    settings.properties.emplace_back("sasl.oauthbearer.config", "principal=admin");
    CHECK(kpipe::kafka::build_conf(settings, {}));
}
