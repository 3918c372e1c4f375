#include "topic_check/sample.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <map>

#include "topic_check/metadata_checks.hpp"
#include "topic_check/partition_reader.hpp"

namespace kpipe::topic_check {
namespace {

constexpr std::size_t max_problems = 5;

}  // namespace

CheckResult check_sample(const config::ClientSettings& settings, const std::string& topic,
                         const std::vector<PartitionReport>& partitions, int count,
                         const JsonSchema* schema, const Deadline& deadline) {
    std::vector<kafka::TopicPartition> starts;
    std::map<std::int32_t, std::int64_t> end_of;  // partition -> high watermark to read up to
    std::vector<std::int32_t> unread;
    for (const auto& partition : partitions) {
        if (!partition.low || !partition.high) {
            unread.push_back(partition.partition);
        } else if (*partition.high > *partition.low) {
            starts.push_back(
                {topic, partition.partition, std::max(*partition.low, *partition.high - count)});
            end_of[partition.partition] = *partition.high;
        }
    }
    std::string notes;
    if (!unread.empty()) notes = "; partitions " + join_numbers(unread) + " not read (see leaders)";
    if (schema != nullptr && !schema->unsupported.empty()) {
        notes +=
            fmt::format("; schema keywords not checked: {}", fmt::join(schema->unsupported, ", "));
    }
    if (starts.empty()) return {"sample", CheckStatus::skipped, "no records to sample" + notes};

    auto consumer = assigned_consumer(settings, topic, starts);
    if (!consumer) return {"sample", CheckStatus::fail, consumer.error().message};
    simdjson::dom::parser parser;
    std::size_t checked = 0;
    std::size_t invalid = 0;
    std::vector<std::string> problems;
    std::vector<kafka::MessagePtr> batch;
    std::vector<record::HeaderView> headers;
    while (!end_of.empty() && !deadline.passed()) {
        consumer->poll_batch(batch, 1000, deadline.at_most(std::chrono::milliseconds(100)));
        for (const auto& message : batch) {
            if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
            auto end = end_of.find(message->partition);
            if (end == end_of.end() || message->offset >= end->second) continue;
            ++checked;
            const auto record = kafka::view_of(*message, headers);
            const auto reason =
                record.value ? check_json_record(parser, *record.value, schema)
                             : std::optional<std::string>("null value (tombstone), not JSON");
            if (reason) {
                ++invalid;
                if (problems.size() < max_problems) {
                    problems.push_back(fmt::format("partition {} offset {}: {}", message->partition,
                                                   message->offset, *reason));
                }
            }
            if (message->offset + 1 >= end->second) end_of.erase(end);
        }
    }
    std::vector<std::int32_t> unfinished;
    for (const auto& [partition, end] : end_of) unfinished.push_back(partition);
    if (!unfinished.empty()) {
        problems.push_back("partitions " + join_numbers(unfinished) +
                           " not read to the end within --timeout");
    }
    const std::string what = schema != nullptr ? "valid JSON matching the schema" : "valid JSON";
    if (problems.empty()) {
        return {"sample", CheckStatus::pass,
                fmt::format("{} records in {} partitions are {}{}", checked, starts.size(), what,
                            notes)};
    }
    return {"sample", CheckStatus::fail,
            fmt::format("{} of {} records are not {}: {}{}", invalid, checked, what,
                        fmt::join(problems, "; "), notes)};
}

}  // namespace kpipe::topic_check
