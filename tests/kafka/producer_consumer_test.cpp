#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "kafka/client_config.hpp"
#include "kafka/consumer.hpp"
#include "kafka/mock_cluster.hpp"
#include "kafka/producer.hpp"

using namespace std::chrono_literals;
using kpipe::config::ClientSettings;
using kpipe::record::HeaderView;
using kpipe::record::RecordView;

namespace {

ClientSettings settings_for(const std::string& brokers) {
    ClientSettings settings;
    settings.brokers = brokers;
    settings.properties = {{"fetch.wait.max.ms", "10"}};
    return settings;
}

}  // namespace

TEST_CASE("records produced to the mock cluster come back with every field", "[kafka]") {
    auto cluster = kpipe::kafka::MockCluster::start(1);
    REQUIRE(cluster);
    REQUIRE(cluster->create_topic("roundtrip", 1, 1));
    const auto settings = settings_for(cluster->bootstrap_servers());

    auto producer = kpipe::kafka::Producer::create(settings);
    REQUIRE(producer);
    const HeaderView headers[] = {{"a", "1"}, {"a", std::nullopt}, {"b", ""}};
    for (int i = 0; i < 100; ++i) {
        const std::string value = "value-" + std::to_string(i);
        RecordView record;
        record.topic = "roundtrip";
        if (i % 2 == 0) record.key = "key";
        if (i % 10 != 0) record.value = value;
        record.headers = headers;
        record.timestamp_ms = 1694479551000 + i;
        REQUIRE(producer->send(record));
    }
    REQUIRE(producer->flush(10s));
    CHECK(producer->counts().acknowledged == 100);
    CHECK(producer->counts().failed == 0);

    auto consumer = kpipe::kafka::Consumer::create(settings, std::nullopt);
    REQUIRE(consumer);
    auto partitions = consumer->partitions_of({"roundtrip"}, 5s);
    REQUIRE(partitions);
    REQUIRE(partitions->size() == 1);
    (*partitions)[0].offset = RD_KAFKA_OFFSET_BEGINNING;
    REQUIRE(consumer->assign(*partitions));

    std::vector<kpipe::kafka::MessagePtr> batch;
    std::vector<HeaderView> read_headers;
    int seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (seen < 100 && std::chrono::steady_clock::now() < deadline) {
        consumer->poll_batch(batch, 50, 100ms);
        for (const auto& message : batch) {
            if (message->err) continue;
            const auto view = kpipe::kafka::view_of(*message, read_headers);
            CHECK(view.offset == seen);
            CHECK(view.topic == "roundtrip");
            CHECK(view.timestamp_ms == 1694479551000 + seen);
            CHECK(view.key.has_value() == (seen % 2 == 0));
            if (seen % 10 == 0) {
                CHECK_FALSE(view.value.has_value());
            } else {
                CHECK(view.value ==
                      std::optional<std::string_view>("value-" + std::to_string(seen)));
            }
            REQUIRE(view.headers.size() == 3);
            CHECK(view.headers[0].value == std::optional<std::string_view>("1"));
            CHECK_FALSE(view.headers[1].value.has_value());
            CHECK(view.headers[2].value == std::optional<std::string_view>(""));
            ++seen;
        }
    }
    CHECK(seen == 100);
    auto marks = consumer->watermarks((*partitions)[0], 5s);
    REQUIRE(marks);
    CHECK(marks->high == 100);
}

TEST_CASE("an unknown client property is a usage error naming it", "[kafka]") {
    auto settings = settings_for("127.0.0.1:1");
    settings.properties.emplace_back("no.such.property", "1");
    auto conf = kpipe::kafka::build_conf(settings, {});
    REQUIRE_FALSE(conf);
    CHECK(conf.error().kind == kpipe::ErrorKind::usage);
    CHECK_THAT(conf.error().message, Catch::Contains("'no.such.property'"));
}

TEST_CASE("an invalid value of a secret property does not echo the value", "[kafka]") {
    auto settings = settings_for("127.0.0.1:1");
    settings.properties.emplace_back("sasl.password", "hunter2");
    settings.properties.emplace_back("enable.idempotence", "maybe-hunter2");
    auto conf = kpipe::kafka::build_conf(settings, {});
    REQUIRE_FALSE(conf);
    CHECK_THAT(conf.error().message, Catch::Contains("enable.idempotence"));
}

TEST_CASE("an unreachable broker fails within the timeout, naming the brokers", "[kafka]") {
    auto producer = kpipe::kafka::Producer::create(settings_for("127.0.0.1:1"));
    REQUIRE(producer);
    const auto started = std::chrono::steady_clock::now();
    auto reachable = producer->client().wait_until_reachable(1500ms);
    REQUIRE_FALSE(reachable);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK_THAT(reachable.error().message, Catch::Contains("127.0.0.1:1"));
}
