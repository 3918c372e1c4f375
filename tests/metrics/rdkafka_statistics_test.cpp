#include "metrics/rdkafka_statistics.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kpipe::metrics;

namespace {

// Trimmed from a real consumer's statistics (librdkafka 2.0.2).
constexpr const char* kConsumerStatistics = R"({
  "name": "rdkafka#consumer-2", "client_id": "rdkafka", "type": "consumer",
  "ts": 123, "msg_cnt": 7, "msg_size": 1400,
  "brokers": {
    "127.0.0.1:40123/1": {"name": "127.0.0.1:40123/1", "nodeid": 1, "txbytes": 5000,
      "rxbytes": 90000, "rtt": {"min": 100, "max": 9000, "avg": 1500, "p99": 8000}},
    "GroupCoordinator": {"name": "GroupCoordinator", "nodeid": -1, "txbytes": 10,
      "rxbytes": 20, "rtt": {"avg": 0, "p99": 0}}
  },
  "topics": {
    "user-login": {"topic": "user-login", "partitions": {
      "0": {"partition": 0, "consumer_lag": 12},
      "1": {"partition": 1, "consumer_lag": 3},
      "2": {"partition": 2, "consumer_lag": -1},
      "-1": {"partition": -1, "consumer_lag": -1}
    }}
  }
})";

}  // namespace

TEST_CASE("statistics JSON yields brokers, queue and per-partition lag") {
    auto parsed = parse_statistics(kConsumerStatistics);
    REQUIRE(parsed);
    CHECK(parsed->client == "rdkafka#consumer-2");
    CHECK(parsed->type == "consumer");
    CHECK(parsed->queue_messages == 7);
    CHECK(parsed->queue_bytes == 1400);
    REQUIRE(parsed->brokers.size() == 2);
    const auto& broker = parsed->brokers[0];
    CHECK(broker.name == "127.0.0.1:40123/1");
    CHECK(broker.rtt_avg_seconds == Approx(0.0015));
    CHECK(broker.rtt_p99_seconds == Approx(0.008));
    CHECK(broker.tx_bytes == 5000);
    CHECK(broker.rx_bytes == 90000);
    // Unknown lags and librdkafka's internal partition -1 are left out.
    REQUIRE(parsed->lags.size() == 2);
    CHECK(parsed->lags[0].topic == "user-login");
    CHECK(parsed->lags[0].partition == 0);
    CHECK(parsed->lags[0].consumer_lag == 12);
}

TEST_CASE("the store renders the latest statistics per client and sums the lag") {
    StatisticsStore store;
    CHECK(store.total_consumer_lag() == -1);
    store.update(*parse_statistics(kConsumerStatistics));
    CHECK(store.total_consumer_lag() == 15);
    TextWriter writer;
    store.render(writer);
    const auto& text = writer.text();
    CHECK(text.find("kpipe_kafka_consumer_lag{client=\"rdkafka#consumer-2\",topic=\"user-login\","
                    "partition=\"0\"} 12\n") != std::string::npos);
    CHECK(text.find("kpipe_kafka_broker_rtt_p99_seconds{client=\"rdkafka#consumer-2\",broker="
                    "\"127.0.0.1:40123/1\"} 0.008\n") != std::string::npos);
    CHECK(text.find("kpipe_kafka_queue_messages{client=\"rdkafka#consumer-2\"} 7\n") !=
          std::string::npos);
}

TEST_CASE("statistics that are not JSON are an error") {
    CHECK_FALSE(parse_statistics("{not json"));
}
