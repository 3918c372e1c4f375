#include <catch2/catch.hpp>

#include "topic_check/lag.hpp"
#include "topic_check/latency.hpp"

using namespace kpipe::topic_check;

TEST_CASE("nearest-rank percentiles", "[topic_check]") {
    CHECK_FALSE(percentile({}, 50));
    CHECK(*percentile({7}, 99) == 7);
    std::vector<double> hundred;
    for (int i = 100; i >= 1; --i) hundred.push_back(i);
    CHECK(*percentile(hundred, 50) == 50);
    CHECK(*percentile(hundred, 99) == 99);
    CHECK(*percentile({1, 2, 3, 4}, 50) == 2);
    auto summary = summarize_latency({3, 1, 2});
    CHECK((summary->p50_ms == 2 && summary->p99_ms == 3 && summary->samples == 3));
}

TEST_CASE("lag: high minus committed, or minus the log start without a commit", "[topic_check]") {
    std::vector<PartitionReport> partitions = {
        {0, 1, {}, {}, 0, 10}, {1, 1, {}, {}, 5, 9}, {2, 1, {}, {}, 4, 4}, {3, 1, {}, {}, {}, {}}};
    std::vector<kpipe::kafka::TopicPartition> committed = {
        {"t", 0, 7}, {"t", 1, RD_KAFKA_OFFSET_INVALID}, {"t", 2, 2}};
    auto lag = compute_lag(partitions, committed);
    REQUIRE(lag.size() == 3);  // partition 3's watermarks are unknown
    CHECK((lag[0].committed == 7 && lag[0].lag == 3));
    CHECK((!lag[1].committed && lag[1].lag == 4));
    CHECK((lag[2].committed == 2 && lag[2].lag == 0));  // below the log start
    auto over = check_lag("g", lag, 3, partitions);
    CHECK(over.status == CheckStatus::fail);
    CHECK(
        over.detail.starts_with("group g over --max-lag 3: partition 1 lag 4 (no committed "
                                "offset)"));
    CHECK(check_lag("g", lag, 4, partitions).status == CheckStatus::pass);
    CHECK(check_lag("g", lag, std::nullopt, partitions).status == CheckStatus::skipped);
}
