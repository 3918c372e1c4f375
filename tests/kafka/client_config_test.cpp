#include "kafka/client_config.hpp"

#include <catch2/catch.hpp>

#include <array>

#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"

namespace {

kpipe::config::ClientSettings tls_settings() {
    kpipe::config::ClientSettings settings;
    settings.brokers = "127.0.0.1:1";
    settings.properties = {{"security.protocol", "SSL"}};
    return settings;
}

std::string effective(rd_kafka_t* handle, const char* name) {
    std::array<char, 256> value{};
    size_t size = value.size();
    REQUIRE(rd_kafka_conf_get(rd_kafka_conf(handle), name, value.data(), &size) ==
            RD_KAFKA_CONF_OK);
    return value.data();
}

}  // namespace

// kpipe sets no TLS property of its own: the broker's certificate and host name are checked
// unless the user turns that off by name.
TEST_CASE("TLS clients keep certificate verification and host name checks on", "[kafka]") {
    auto producer = kpipe::kafka::Producer::create(tls_settings());
    REQUIRE(producer);
    auto consumer = kpipe::kafka::Consumer::create(tls_settings(), std::string("g"), nullptr);
    REQUIRE(consumer);
    for (rd_kafka_t* handle : {producer->client().handle(), consumer->client().handle()}) {
        CHECK(effective(handle, "security.protocol") == "ssl");
        CHECK(effective(handle, "enable.ssl.certificate.verification") == "true");
        CHECK(effective(handle, "ssl.endpoint.identification.algorithm") == "https");
    }
}

TEST_CASE("certificate verification is off only when the user says so by name", "[kafka]") {
    auto settings = tls_settings();
    settings.properties.emplace_back("enable.ssl.certificate.verification", "false");
    auto producer = kpipe::kafka::Producer::create(settings);
    REQUIRE(producer);
    CHECK(effective(producer->client().handle(), "enable.ssl.certificate.verification") == "false");
    CHECK(effective(producer->client().handle(), "ssl.endpoint.identification.algorithm") ==
          "https");
}
