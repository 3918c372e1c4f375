#include "broker/fault_injector.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "kafka/mock_cluster.hpp"

using kpipe::broker::check_fault_brokers;
using kpipe::broker::FaultInjector;
using kpipe::broker::parse_fault_spec;
using namespace std::chrono_literals;

TEST_CASE("fault injector: broker ids are checked against the cluster", "[broker][fault]") {
    CHECK(check_fault_brokers(*parse_fault_spec("down broker=2"), 2));
    auto missing = check_fault_brokers(*parse_fault_spec("down broker=3"), 2);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == kpipe::ErrorKind::usage);
    CHECK(missing.error().message ==
          "fault 'down broker=3': there is no broker 3; brokers are 1..2 (raise --broker-count)");
    CHECK(check_fault_brokers(*parse_fault_spec("leader topic=t"), 1));
}

TEST_CASE("fault injector: applies due faults to the mock cluster and logs each firing",
          "[broker][fault]") {
    auto cluster = kpipe::kafka::MockCluster::start(2);
    REQUIRE(cluster);
    REQUIRE(cluster->create_topic("t", 3, 2));
    std::ostringstream log;
    const auto start = FaultInjector::Clock::now();
    FaultInjector injector(*cluster, log, start);
    REQUIRE(injector.add(*parse_fault_spec("every=1s leader topic=t"), start));
    REQUIRE(injector.add(*parse_fault_spec("at=2s down broker=2 for=1s"), start));
    REQUIRE(injector.add(*parse_fault_spec("error api=Produce code=7 count=2 broker=1"), start));
    CHECK_FALSE(injector.add(*parse_fault_spec("up broker=5"), start));

    CHECK(injector.run_due(start));
    CHECK(injector.run_due(start + 3s));
    const std::string text = log.str();
    CHECK_THAT(text, Catch::Contains("kpipe broker: fault at 0.000s: leader of t (every "
                                     "partition) moves to the next broker\n"));
    CHECK_THAT(text, Catch::Contains("fault at 0.000s: the next 2 Produce requests to broker 1 "
                                     "fail with REQUEST_TIMED_OUT\n"));
    CHECK_THAT(text, Catch::Contains("fault at 2.000s: broker 2 down for 1s\n"));
    CHECK_THAT(text, Catch::Contains("fault at 3.000s: end of 'broker 2 down for 1s'\n"));

    // A fault the cluster refuses is logged and reported, and the others still fire.
    REQUIRE(injector.add(*parse_fault_spec("leader topic=t partition=7 broker=1"), start + 3s));
    auto refused = injector.run_due(start + 4s);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("t partition 7"));
    CHECK_THAT(log.str(), Catch::Contains("fault at 4.000s: leader of t (every partition)"));
}
