#include "topic_check/metadata_checks.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace kpipe::topic_check;
using kpipe::kafka::TopicInfo;

namespace {

TopicInfo topic_with(int partitions, std::vector<std::int32_t> replicas,
                     std::vector<std::int32_t> isr) {
    TopicInfo topic{"t", true};
    for (int p = 0; p < partitions; ++p) topic.partitions.push_back({p, 1, replicas, isr});
    return topic;
}

const CheckResult& named(const std::vector<CheckResult>& checks, const std::string& name) {
    for (const auto& check : checks) {
        if (check.name == name) return check;
    }
    throw std::runtime_error("no check " + name);
}

}  // namespace

TEST_CASE("metadata checks compare partitions, replicas and ISRs", "[topic_check]") {
    auto healthy = check_metadata(topic_with(4, {1, 2, 3}, {1, 2, 3}), {4, 3, 2});
    for (const auto& check : healthy) CHECK(check.status == CheckStatus::pass);
    CHECK(named(healthy, "replicas").detail == "3 replicas per partition, as expected");

    auto wrong = check_metadata(topic_with(4, {1}, {1}), {6, 3, 2});
    CHECK(named(wrong, "partitions").status == CheckStatus::fail);
    CHECK(named(wrong, "partitions").detail == "expected 6, found 4");
    CHECK(named(wrong, "replicas").detail == "expected 3 replicas: partitions 0, 1, 2, 3 have 1");
    CHECK(named(wrong, "min-isr").status == CheckStatus::fail);

    auto under = check_metadata(topic_with(1, {1, 2, 3}, {1}), {});
    CHECK(named(under, "under-replicated").detail == "partition 0 ISR 1 of 3 replicas");
    CHECK_THROWS(named(under, "min-isr"));  // not asked for
}

TEST_CASE("leaders fail for missing or unreachable leaders, naming partitions and broker",
          "[topic_check]") {
    std::vector<PartitionReport> partitions(4);
    for (int p = 0; p < 4; ++p) partitions[p] = {p, p % 2 + 1, {1, 2}, {1, 2}, 0, 10};
    CHECK(check_leaders(partitions).status == CheckStatus::pass);
    CHECK(check_watermarks(partitions).detail == "40 records held in 4 partitions");
    partitions[1].unreachable = partitions[3].unreachable = "no answer within 1s";
    partitions[1].low = partitions[1].high = partitions[3].low = partitions[3].high = {};
    partitions[0].leader = -1;
    const auto leaders = check_leaders(partitions);
    CHECK(leaders.status == CheckStatus::fail);
    CHECK(leaders.detail ==
          "partition 0 has no leader; partitions 1, 3 led by broker 2: leader unreachable (no "
          "answer within 1s)");
    CHECK(check_watermarks(partitions).detail ==
          "20 records held in 2 partitions; partitions 1, 3 not read (see leaders)");
}

TEST_CASE("exists and min-isr-config", "[topic_check]") {
    TopicInfo missing{"gone", false, "unknown topic"};
    CHECK(check_exists(missing, "b:9092").status == CheckStatus::fail);
    CHECK(check_min_isr_config(2, std::nullopt, "no answer").status == CheckStatus::skipped);
    CHECK(check_min_isr_config(2, "2", "").status == CheckStatus::pass);
    CHECK(check_min_isr_config(2, "1", "").detail == "expected min.insync.replicas 2, topic has 1");
}
