#include "kafka/client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "kafka/mock_cluster.hpp"
#include "kafka/producer.hpp"

using namespace std::chrono_literals;

namespace {

kpipe::config::ClientSettings settings_for(const std::string& brokers) {
    kpipe::config::ClientSettings settings;
    settings.brokers = brokers;
    return settings;
}

}  // namespace

TEST_CASE("a TLS or SASL failure during a broker wait ends it early with its explanation",
          "[kafka]") {
    auto producer = kpipe::kafka::Producer::create(settings_for("127.0.0.1:1"));
    REQUIRE(producer);
    auto& events = producer->client().events();
    std::thread failure([&events] {
        std::this_thread::sleep_for(50ms);
        events.record_security_failure("TLS handshake with 127.0.0.1:1 failed: test");
    });
    const auto started = std::chrono::steady_clock::now();
    auto reachable = producer->client().wait_until_reachable(20s);
    failure.join();
    REQUIRE_FALSE(reachable);
    CHECK(reachable.error().message == "TLS handshake with 127.0.0.1:1 failed: test");
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a TLS or SASL failure from before a wait neither ends it nor outlives an answer",
          "[kafka]") {
    auto cluster = kpipe::kafka::MockCluster::start(1);
    REQUIRE(cluster);
    auto producer = kpipe::kafka::Producer::create(settings_for(cluster->bootstrap_servers()));
    REQUIRE(producer);
    producer->client().events().record_security_failure("stale");
    std::this_thread::sleep_for(600ms);  // past the grace period: the failure is old
    REQUIRE(producer->client().wait_until_reachable(10s));
    CHECK_FALSE(producer->client().events().security_failure());
    CHECK(producer->client().unreachable_message(1s).find("stale") == std::string::npos);
}
