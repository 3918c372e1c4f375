#include "pipeline/record_processor.hpp"

#include <catch2/catch.hpp>
#include <string>

using kpipe::pipeline::FailureStage;
using kpipe::pipeline::RecordProcessor;
using kpipe::record::RecordView;

namespace {

RecordProcessor processor_for(const std::string& filter, std::size_t max_bytes = 1 << 20) {
    auto compiled = kpipe::filter::Filter::compile(filter);
    REQUIRE(compiled);
    return RecordProcessor(std::move(*compiled), max_bytes);
}

RecordView record_with(std::optional<std::string_view> value) {
    RecordView record;
    record.topic = "in";
    record.partition = 1;
    record.offset = 7;
    record.key = "key";
    record.timestamp_ms = 1000;
    record.value = value;
    return record;
}

}  // namespace

TEST_CASE("outputs keep the input's key and timestamp on the output topic", "[pipeline]") {
    auto processor = processor_for(".a, .b");
    const auto input = record_with(R"({"a":1,"b":"x"})");
    REQUIRE_FALSE(processor.process(input));
    REQUIRE(processor.outputs().size() == 2);
    const auto second = processor.output_record(input, "out", 1);
    CHECK(second.topic == "out");
    CHECK(second.value == R"("x")");
    CHECK(second.key == input.key);
    CHECK(second.timestamp_ms == 1000);
}

TEST_CASE("a dropped record has no outputs and no cause", "[pipeline]") {
    auto processor = processor_for("select(.a > 5)");
    CHECK_FALSE(processor.process(record_with(R"({"a":1})")));
    CHECK(processor.outputs().size() == 0);
}

TEST_CASE("each kind of bad record gets its cause", "[pipeline]") {
    auto processor = processor_for(".a | tonumber", 64);

    auto cause = processor.process(record_with(std::nullopt));
    REQUIRE(cause);
    CHECK(cause->class_name == kpipe::pipeline::kNullValueClass);

    const std::string big = R"({"a":")" + std::string(100, 'x') + R"("})";
    cause = processor.process(record_with(big));
    REQUIRE(cause);
    CHECK(cause->class_name == kpipe::pipeline::kRecordTooLargeClass);
    CHECK(std::string(cause->message).find("--max-record-bytes 64") != std::string::npos);

    cause = processor.process(record_with("{\"a\":"));
    REQUIRE(cause);
    CHECK(cause->stage == FailureStage::value_converter);
    CHECK(cause->class_name == kpipe::pipeline::kInvalidJsonClass);

    cause = processor.process(record_with(R"({"a":"twelve"})"));
    REQUIRE(cause);
    CHECK(cause->stage == FailureStage::transformation);
    CHECK(cause->class_name == kpipe::pipeline::kFilterErrorClass);
    CHECK(processor.outputs().size() == 0);

    CHECK_FALSE(processor.process(record_with(R"({"a":"12"})")));
    CHECK(processor.outputs()[0] == "12");
}
