#include "topic_check/topic_check.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <map>

#include "kafka/consumer.hpp"
#include "kafka/metadata.hpp"
#include "topic_check/deadline.hpp"
#include "topic_check/lag.hpp"
#include "topic_check/roundtrip.hpp"
#include "topic_check/sample.hpp"
#include "topic_check/schema.hpp"

namespace kpipe::topic_check {
namespace {

using std::chrono::milliseconds;

// How long one leader may take to answer before it counts as unreachable, and how long an
// admin request the embedded broker never answers may hold up the run.
milliseconds probe_limit(milliseconds timeout) {
    return std::max(milliseconds(1000), timeout / 5);
}
constexpr milliseconds describe_configs_limit{2000};

Status validate(const TopicCheckOptions& options) {
    if (options.topics.empty()) return usage_error("topic-check needs at least one TOPIC");
    if (options.max_latency_ms && !options.roundtrip) {
        return usage_error("--max-latency bounds the round trip; add --roundtrip");
    }
    if (options.max_lag && !options.group) {
        return usage_error("--max-lag bounds a consumer group's lag; add --group GROUP");
    }
    if (options.schema_file && !options.sample) {
        return usage_error("--schema applies to sampled records; add --sample N");
    }
    const auto positive = [](const std::optional<int>& value, const char* option) -> Status {
        if (value && *value < 1) {
            return usage_error(std::string(option) + " must be a positive number");
        }
        return ok();
    };
    for (const auto& [value, option] :
         {std::pair{options.expected.partitions, "--expect-partitions"},
          std::pair{options.expected.replicas, "--expect-replicas"},
          std::pair{options.expected.min_isr, "--min-isr"},
          std::pair{options.roundtrip, "--roundtrip"}, std::pair{options.sample, "--sample"}}) {
        if (auto valid = positive(value, option); !valid) return valid;
    }
    if (options.max_lag && *options.max_lag < 0) {
        return usage_error("--max-lag must be zero or more");
    }
    return ok();
}

// The names of every check a run with these options reports, in table order.
std::vector<std::string> check_names(const TopicCheckOptions& options) {
    std::vector<std::string> names = {"partitions", "replicas", "under-replicated"};
    if (options.expected.min_isr) {
        names.push_back("min-isr");
        names.push_back("min-isr-config");
    }
    names.push_back("leaders");
    names.push_back("watermarks");
    if (options.roundtrip) {
        names.push_back("roundtrip");
        names.push_back("latency");
    }
    if (options.group) names.push_back("lag");
    if (options.sample) names.push_back("sample");
    return names;
}

// Reads each partition's watermarks from its leader. A leader that does not answer within the
// probe limit is not asked again for its other partitions: the run stays bounded.
void probe_leaders(kafka::Consumer& consumer, const std::string& topic,
                   std::vector<PartitionReport>& partitions, milliseconds limit,
                   const Deadline& deadline) {
    std::map<std::int32_t, std::string> silent;  // leader -> why
    for (auto& partition : partitions) {
        if (partition.leader < 0) continue;
        if (auto known = silent.find(partition.leader); known != silent.end()) {
            partition.unreachable = known->second;
            continue;
        }
        const auto wait = deadline.at_most(limit);
        // librdkafka 2.0.2's watermark query retries forever while a leader refuses
        // connections; the time look-up (ListOffsets for "latest") honours its timeout.
        std::vector<kafka::TopicPartition> latest = {{topic, partition.partition, -1}};
        auto reachable = consumer.resolve_timestamps(latest, wait);
        auto marks = reachable ? consumer.watermarks({topic, partition.partition}, wait)
                               : Expected<kafka::Watermarks>(reachable.error());
        if (marks) {
            partition.low = marks->low;
            partition.high = marks->high;
            continue;
        }
        partition.unreachable = fmt::format("no answer within {:g}s", wait.count() / 1000.0);
        spdlog::info("{}/{}: {}", topic, partition.partition, marks.error().message);
        silent[partition.leader] = partition.unreachable;
    }
}

std::vector<PartitionReport> partition_reports(const kafka::TopicInfo& topic) {
    std::vector<PartitionReport> reports;
    for (const auto& partition : topic.partitions) {
        reports.push_back(
            {partition.partition, partition.leader, partition.replicas, partition.isr});
    }
    return reports;
}

// min.insync.replicas via DescribeConfigs, asked once per run if the broker does not answer.
class MinIsrConfig {
  public:
    CheckResult check(kafka::Client& client, const std::string& topic, int expected,
                      const Deadline& deadline) {
        if (!unavailable_.empty())
            return check_min_isr_config(expected, std::nullopt, unavailable_);
        auto value = kafka::describe_topic_config(client, topic, "min.insync.replicas",
                                                  deadline.at_most(describe_configs_limit));
        if (!value) {
            unavailable_ = value.error().message +
                           "; the broker does not answer DescribeConfigs (the embedded broker "
                           "does not support it)";
            return check_min_isr_config(expected, std::nullopt, unavailable_);
        }
        return check_min_isr_config(expected, *value, "");
    }

  private:
    std::string unavailable_;
};

}  // namespace

Expected<Report> run_topic_check(const TopicCheckOptions& options,
                                 const config::ClientSettings& settings) {
    if (auto valid = validate(options); !valid) return valid.error();
    std::optional<JsonSchema> schema;
    if (options.schema_file) {
        auto loaded = load_schema(*options.schema_file);
        if (!loaded) return loaded.error();
        schema = std::move(*loaded);
    }
    const Deadline deadline(options.timeout);
    auto consumer = kafka::Consumer::create(settings, std::nullopt);
    if (!consumer) return consumer.error();
    auto snapshot = kafka::fetch_metadata(consumer->client(), options.topics, deadline.remaining());
    if (!snapshot) return snapshot.error();

    Report report;
    MinIsrConfig min_isr_config;
    for (const auto& info : snapshot->topics) {
        TopicReport topic{info.name};
        topic.checks.push_back(check_exists(info, settings.brokers));
        if (!info.exists) {
            for (const auto& name : check_names(options)) {
                topic.checks.push_back({name, CheckStatus::skipped, "the topic does not exist"});
            }
            report.topics.push_back(std::move(topic));
            continue;
        }
        topic.partitions = partition_reports(info);
        probe_leaders(*consumer, info.name, topic.partitions, probe_limit(options.timeout),
                      deadline);
        for (auto& check : check_metadata(info, options.expected)) {
            topic.checks.push_back(std::move(check));
        }
        if (options.expected.min_isr) {
            topic.checks.push_back(min_isr_config.check(consumer->client(), info.name,
                                                        *options.expected.min_isr, deadline));
        }
        topic.checks.push_back(check_leaders(topic.partitions));
        topic.checks.push_back(check_watermarks(topic.partitions));

        if (options.roundtrip) {
            std::vector<kafka::TopicPartition> starts;
            for (const auto& partition : topic.partitions) {
                if (partition.high)
                    starts.push_back({info.name, partition.partition, *partition.high});
            }
            if (starts.empty()) {
                for (const char* name : {"roundtrip", "latency"}) {
                    topic.checks.push_back({name, CheckStatus::skipped,
                                            "no partition's leader answered (see leaders)"});
                }
            } else {
                topic.roundtrip =
                    run_roundtrip(settings, info.name, starts, *options.roundtrip, deadline);
                for (auto& check : roundtrip_checks(*topic.roundtrip, options.max_latency_ms)) {
                    topic.checks.push_back(std::move(check));
                }
            }
        }
        if (options.group) {
            topic.group = options.group;
            std::vector<std::int32_t> numbers;
            for (const auto& partition : topic.partitions) numbers.push_back(partition.partition);
            auto committed = read_committed(settings, *options.group, info.name, numbers,
                                            deadline.at_most(options.timeout));
            if (!committed) {
                topic.checks.push_back(
                    {"lag", CheckStatus::fail,
                     committed.error().message + " for group " + *options.group});
            } else {
                topic.lag = compute_lag(topic.partitions, *committed);
                topic.checks.push_back(
                    check_lag(*options.group, topic.lag, options.max_lag, topic.partitions));
            }
        }
        if (options.sample) {
            topic.checks.push_back(check_sample(settings, info.name, topic.partitions,
                                                *options.sample, schema ? &*schema : nullptr,
                                                deadline));
        }
        report.topics.push_back(std::move(topic));
    }
    return report;
}

}  // namespace kpipe::topic_check
