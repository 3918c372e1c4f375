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

// The profiles README's "TLS and SASL" shows, as librdkafka sees them: every property is known
// to the installed librdkafka and the features they need are built in.
TEST_CASE("the documented security profiles are accepted by this librdkafka", "[kafka]") {
    using Properties = std::vector<std::pair<std::string, std::string>>;
    const std::vector<Properties> profiles = {
        {{"security.protocol", "SSL"}, {"ssl.ca.location", "/etc/kpipe/kafka-ca.pem"}},
        {{"security.protocol", "SSL"},
         {"ssl.ca.location", "/etc/kpipe/kafka-ca.pem"},
         {"ssl.certificate.location", "/etc/kpipe/client.pem"},
         {"ssl.key.location", "/etc/kpipe/client.key"},
         {"ssl.key.password", "secret"}},
        {{"security.protocol", "SASL_SSL"},
         {"sasl.mechanism", "PLAIN"},
         {"sasl.username", "key"},
         {"sasl.password", "secret"}},
        {{"security.protocol", "SASL_SSL"},
         {"sasl.mechanism", "SCRAM-SHA-512"},
         {"sasl.username", "kpipe"},
         {"sasl.password", "secret"}},
        {{"security.protocol", "SASL_SSL"}, {"sasl.mechanism", "SCRAM-SHA-256"}},
        {{"security.protocol", "SASL_PLAINTEXT"},
         {"sasl.mechanism", "OAUTHBEARER"},
         {"enable.sasl.oauthbearer.unsecure.jwt", "true"},
         {"sasl.oauthbearer.config", "principal=kpipe lifeSeconds=3600"}},
    };
    for (const auto& properties : profiles) {
        kpipe::config::ClientSettings settings;
        settings.brokers = "kafka-1.example.com:9093";
        settings.properties = properties;
        auto conf = kpipe::kafka::build_conf(settings, {});
        INFO(properties.front().second << " " << properties[1].second);
        CHECK(conf);
    }
    kpipe::kafka::ConfPtr conf{rd_kafka_conf_new()};
    std::array<char, 512> features{};
    size_t size = features.size();
    REQUIRE(rd_kafka_conf_get(conf.get(), "builtin.features", features.data(), &size) ==
            RD_KAFKA_CONF_OK);
    const std::string built_in = std::string(",") + features.data() + ",";
    for (const char* feature : {",ssl,", ",sasl_plain,", ",sasl_scram,", ",sasl_oauthbearer,"}) {
        INFO(built_in);
        CHECK(built_in.find(feature) != std::string::npos);
    }
}
