#include "pipeline/dead_letter.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using kpipe::pipeline::DeadLetterBuilder;
using kpipe::pipeline::DeadLetterCause;
using kpipe::pipeline::FailureStage;
using kpipe::record::HeaderView;
using kpipe::record::RecordView;

TEST_CASE("a dead letter keeps the original and adds Kafka Connect's context", "[pipeline]") {
    const std::vector<HeaderView> original_headers = {{"trace", "t-1"}, {"empty", std::nullopt}};
    RecordView original;
    original.topic = "user-login";
    original.partition = 3;
    original.offset = 42;
    original.timestamp_ms = 1694479551000;
    original.key = "k";
    original.value = "{not json";
    original.headers = original_headers;

    DeadLetterBuilder builder;
    const auto dead = builder.build(
        original, "user-login-dlq",
        DeadLetterCause{FailureStage::value_converter, kpipe::pipeline::kInvalidJsonClass,
                        "invalid JSON: unclosed object"});

    CHECK(dead.topic == "user-login-dlq");
    CHECK(dead.partition == -1);
    CHECK(dead.key == original.key);
    CHECK(dead.value == original.value);
    CHECK(dead.timestamp_ms == original.timestamp_ms);
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    for (const auto& header : dead.headers) {
        headers.emplace_back(
            std::string(header.name),
            header.value ? std::optional<std::string>(*header.value) : std::nullopt);
    }
    const decltype(headers) expected = {
        {"trace", "t-1"},
        {"empty", std::nullopt},
        {"__connect.errors.topic", "user-login"},
        {"__connect.errors.partition", "3"},
        {"__connect.errors.offset", "42"},
        {"__connect.errors.stage", "VALUE_CONVERTER"},
        {"__connect.errors.exception.class.name", "kpipe.InvalidJson"},
        {"__connect.errors.exception.message", "invalid JSON: unclosed object"},
    };
    CHECK(headers == expected);
}

TEST_CASE("dead-letter stages use Kafka Connect's names", "[pipeline]") {
    CHECK(kpipe::pipeline::stage_name(FailureStage::value_converter) == "VALUE_CONVERTER");
    CHECK(kpipe::pipeline::stage_name(FailureStage::transformation) == "TRANSFORMATION");
    CHECK(kpipe::pipeline::stage_name(FailureStage::produce) == "KAFKA_PRODUCE");
}
