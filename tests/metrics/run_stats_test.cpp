#include "metrics/run_stats.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kpipe::metrics;

TEST_CASE("every run series is rendered from the start, at zero") {
    RunStats stats;
    stats.start("transform", true);
    const auto text = stats.render();
    for (const char* sample : {
             "kpipe_records_in_total{subcommand=\"transform\"} 0\n",
             "kpipe_records_out_total{subcommand=\"transform\"} 0\n",
             "kpipe_records_filtered_total{subcommand=\"transform\"} 0\n",
             "kpipe_records_dead_lettered_total{subcommand=\"transform\"} 0\n",
             "kpipe_errors_total{subcommand=\"transform\",kind=\"delivery\"} 0\n",
             "kpipe_rebalances_total{subcommand=\"transform\"} 0\n",
             "kpipe_assigned_partitions{subcommand=\"transform\"} 0\n",
             "kpipe_ready{subcommand=\"transform\"} 0\n",
             "kpipe_produce_latency_seconds_count{subcommand=\"transform\"} 0\n",
             "kpipe_end_to_end_latency_seconds_count{subcommand=\"transform\"} 0\n",
             "# TYPE kpipe_kafka_consumer_lag gauge\n",
         }) {
        CHECK(text.find(sample) != std::string::npos);
    }
}

TEST_CASE("counters and errors show in the rendering") {
    RunStats stats;
    stats.start("produce", false);
    stats.records_in.add(3);
    stats.error(ErrorKind::input);
    const auto text = stats.render();
    CHECK(text.find("kpipe_records_in_total{subcommand=\"produce\"} 3\n") != std::string::npos);
    CHECK(text.find("kpipe_errors_total{subcommand=\"produce\",kind=\"input\"} 1\n") !=
          std::string::npos);
}

TEST_CASE("a group consumer is ready once connected and assigned") {
    RunStats consumer;
    consumer.start("consume", true);
    CHECK_FALSE(consumer.ready());
    consumer.set_connected();
    CHECK_FALSE(consumer.ready());
    consumer.assigned_partitions.add(2);
    CHECK(consumer.ready());

    RunStats producer;
    producer.start("produce", false);
    producer.set_connected();
    CHECK(producer.ready());
    CHECK(producer.healthy());
}
