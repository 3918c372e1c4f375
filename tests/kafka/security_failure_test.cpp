#include "kafka/security_failure.hpp"

#include <catch2/catch.hpp>

using kpipe::kafka::explain_security_failure;

namespace {

std::string explained(std::string_view reason) {
    auto explanation = explain_security_failure(reason);
    INFO(reason);
    REQUIRE(explanation);
    CHECK(explanation->find('\n') == std::string::npos);
    return *explanation;
}

}  // namespace

TEST_CASE("security failure: an untrusted certificate names the cause and ssl.ca.location",
          "[kafka]") {
    // librdkafka 2.0's words for OpenSSL 3, as the error callback gets them.
    const auto message = explained(
        "ssl://127.0.0.1:19443/bootstrap: SSL handshake failed: error:0A000086:SSL "
        "routines::certificate verify failed: broker certificate could not be verified, verify "
        "that ssl.ca.location is correctly configured or root CA certificates are installed "
        "(install ca-certificates package)");
    CHECK_THAT(message, Catch::StartsWith("TLS handshake with 127.0.0.1:19443 failed: "
                                          "certificate verify failed"));
    CHECK_THAT(message, Catch::Contains("set ssl.ca.location"));
    CHECK_THAT(message, !Catch::Contains("0A000086"));
    CHECK_THAT(message, !Catch::Contains("install ca-certificates"));
    // The same failure reported as a transport error during the first connection.
    CHECK_THAT(explained("ssl://localhost:9093/bootstrap: error:0A000086:SSL "
                         "routines::certificate verify failed"),
               Catch::Contains("ssl.ca.location"));
}

TEST_CASE("security failure: TLS to a plaintext listener says so", "[kafka]") {
    const auto message = explained(
        "ssl://127.0.0.1:40303/bootstrap: SSL handshake failed: Disconnected: connecting to a "
        "PLAINTEXT broker listener?");
    CHECK_THAT(message, Catch::Contains("does not speak TLS"));
    CHECK_THAT(message, Catch::Contains("security.protocol=plaintext"));
    CHECK_THAT(explained("ssl://h:1/bootstrap: SSL handshake failed: error:0A00010B:SSL "
                         "routines::wrong version number"),
               Catch::Contains("does not speak TLS"));
}

TEST_CASE("security failure: a rejected client certificate points at the client settings",
          "[kafka]") {
    const auto message = explained(
        "ssl://b1:9093/1: SSL handshake failed: error:0A00045C:SSL routines::tlsv13 alert "
        "certificate required");
    CHECK_THAT(message, Catch::Contains("alert certificate required"));
    CHECK_THAT(message, Catch::Contains("ssl.certificate.location and ssl.key.location"));
}

TEST_CASE("security failure: other TLS handshake failures keep OpenSSL's reason", "[kafka]") {
    const auto message = explained(
        "ssl://b1:9093/1: SSL handshake failed: error:0A000410:SSL routines::sslv3 alert "
        "protocol version");
    CHECK_THAT(message, Catch::StartsWith("TLS handshake with b1:9093 failed: sslv3 alert "
                                          "protocol version; check"));
}

TEST_CASE("security failure: SASL failures name the settings to check", "[kafka]") {
    CHECK_THAT(explained("sasl_ssl://b1:9094/1: SASL authentication error: Authentication failed: "
                         "Invalid username or password (after 12ms in state AUTH_REQ)"),
               Catch::Contains("sasl.username and sasl.password"));
    CHECK_THAT(explained("sasl_plaintext://127.0.0.1:38401/bootstrap: Failed to initialize SASL "
                         "authentication: SASL Handshake not supported by broker (required by "
                         "mechanism PLAIN)"),
               Catch::Contains("does not accept SASL"));
    CHECK_THAT(explained("sasl_ssl://b1:9094/1: Unsupported SASL mechanism: broker supports "
                         "SCRAM-SHA-512"),
               Catch::Contains("set sasl.mechanism"));
    CHECK_THAT(explained("Failed to acquire SASL OAUTHBEARER token: Invalid "
                         "sasl.oauthbearer.config: [redacted]"),
               Catch::StartsWith("cannot get an OAUTHBEARER token"));
}

TEST_CASE("security failure: connection failures are not security failures", "[kafka]") {
    CHECK_FALSE(explain_security_failure(
        "ssl://127.0.0.1:19443/bootstrap: Connect to ipv4#127.0.0.1:19443 failed: Connection "
        "refused"));
    CHECK_FALSE(explain_security_failure("1/1 brokers are down"));
    CHECK_FALSE(
        explain_security_failure("127.0.0.1:9092/1: Disconnected (after 10ms in state UP)"));
    CHECK_FALSE(explain_security_failure(""));
}

TEST_CASE("security failure: log lines lose librdkafka's thread tag, timing and error codes",
          "[kafka]") {
    // TLS 1.3: the broker asks for a client certificate only after the handshake.
    const auto message = explained(
        "[thrd:ssl://127.0.0.1:37417/bootstrap]: ssl://127.0.0.1:37417/bootstrap: Receive "
        "failed: error:0A00045C:SSL routines::tlsv13 alert certificate required: SSL alert "
        "number 116 (after 0ms in state APIVERSION_QUERY)");
    CHECK_THAT(message, Catch::StartsWith("TLS handshake with 127.0.0.1:37417 failed: tlsv13 "
                                          "alert certificate required (the broker wants"));
}
