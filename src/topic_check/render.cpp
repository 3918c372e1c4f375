#include "topic_check/render.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

#include "filter/json_writer.hpp"

namespace kpipe::topic_check {
namespace {

std::string upper_status(CheckStatus status) {
    std::string name = status_name(status);
    std::transform(name.begin(), name.end(), name.begin(), [](char c) { return c - 'a' + 'A'; });
    return name;
}

void write_string(std::string_view text, std::string& out) {
    filter::write_json_string(text, out);
}

template <class Numbers>
void write_numbers(const Numbers& numbers, std::string& out) {
    out += '[';
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        out += (i == 0 ? "" : ",") + std::to_string(numbers[i]);
    }
    out += ']';
}

void write_optional(const std::optional<std::int64_t>& number, std::string& out) {
    out += number ? std::to_string(*number) : "null";
}

void write_latency(const char* name, const std::optional<LatencySummary>& latency,
                   std::string& out) {
    out += fmt::format(",\"{}\":", name);
    if (!latency) {
        out += "null";
        return;
    }
    out += fmt::format("{{\"p50\":{:.3f},\"p99\":{:.3f},\"samples\":{}}}", latency->p50_ms,
                       latency->p99_ms, latency->samples);
}

void write_roundtrip(const RoundtripReport& roundtrip, std::string& out) {
    out += fmt::format(
        "{{\"records_per_partition\":{},\"sent\":{},\"acknowledged\":{},\"received\":{},"
        "\"lost\":{},\"duplicated\":{},\"altered\":{},\"partitions\":",
        roundtrip.records_per_partition, roundtrip.sent, roundtrip.acknowledged, roundtrip.received,
        roundtrip.lost, roundtrip.duplicated, roundtrip.altered);
    write_numbers(roundtrip.partitions, out);
    write_latency("produce_ack_ms", roundtrip.produce_ack, out);
    write_latency("roundtrip_ms", roundtrip.round_trip, out);
    out += '}';
}

void write_topic(const TopicReport& topic, std::string& out) {
    out += "{\"topic\":";
    write_string(topic.topic, out);
    out += ",\"checks\":[";
    for (std::size_t i = 0; i < topic.checks.size(); ++i) {
        const auto& check = topic.checks[i];
        out += i == 0 ? "{\"name\":" : ",{\"name\":";
        write_string(check.name, out);
        out += fmt::format(",\"status\":\"{}\",\"detail\":", status_name(check.status));
        write_string(check.detail, out);
        out += '}';
    }
    out += "],\"partitions\":[";
    for (std::size_t i = 0; i < topic.partitions.size(); ++i) {
        const auto& partition = topic.partitions[i];
        out += fmt::format("{}{{\"partition\":{},\"leader\":{},\"replicas\":", i == 0 ? "" : ",",
                           partition.partition, partition.leader);
        write_numbers(partition.replicas, out);
        out += ",\"isr\":";
        write_numbers(partition.isr, out);
        out += ",\"low\":";
        write_optional(partition.low, out);
        out += ",\"high\":";
        write_optional(partition.high, out);
        out += '}';
    }
    out += ']';
    if (topic.roundtrip) {
        out += ",\"roundtrip\":";
        write_roundtrip(*topic.roundtrip, out);
    }
    if (topic.group) {
        out += ",\"group\":";
        write_string(*topic.group, out);
        out += ",\"lag\":[";
        for (std::size_t i = 0; i < topic.lag.size(); ++i) {
            const auto& lag = topic.lag[i];
            out += fmt::format("{}{{\"partition\":{},\"committed\":", i == 0 ? "" : ",",
                               lag.partition);
            write_optional(lag.committed, out);
            out += fmt::format(",\"high\":{},\"lag\":{}}}", lag.high, lag.lag);
        }
        out += ']';
    }
    out += '}';
}

}  // namespace

std::string render_table(const Report& report) {
    std::size_t topic_width = 5;
    std::size_t check_width = 5;
    for (const auto& topic : report.topics) {
        topic_width = std::max(topic_width, topic.topic.size());
        for (const auto& check : topic.checks)
            check_width = std::max(check_width, check.name.size());
    }
    std::string out = fmt::format("{:<{}}  {:<{}}  {:<7}  {}\n", "TOPIC", topic_width, "CHECK",
                                  check_width, "STATUS", "DETAIL");
    for (const auto& topic : report.topics) {
        for (const auto& check : topic.checks) {
            out += fmt::format("{:<{}}  {:<{}}  {:<7}  {}\n", topic.topic, topic_width, check.name,
                               check_width, upper_status(check.status), check.detail);
        }
    }
    return out;
}

std::string render_json(const Report& report) {
    std::string out = fmt::format("{{\"ok\":{},\"topics\":[", report.ok() ? "true" : "false");
    for (std::size_t i = 0; i < report.topics.size(); ++i) {
        if (i > 0) out += ',';
        write_topic(report.topics[i], out);
    }
    out += "]}\n";
    return out;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    out += "\xEF\xBF\xBD";  // U+FFFD: XML 1.0 has no way to write these
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string render_junit(const Report& report) {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kpipe topic-check\">\n";
    for (const auto& topic : report.topics) {
        const auto count = [&topic](CheckStatus status) {
            return std::count_if(topic.checks.begin(), topic.checks.end(),
                                 [status](const auto& check) { return check.status == status; });
        };
        out += fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
            xml_escape(topic.topic), topic.checks.size(), count(CheckStatus::fail),
            count(CheckStatus::skipped));
        for (const auto& check : topic.checks) {
            out += fmt::format("    <testcase classname=\"topic-check.{}\" name=\"{}\"",
                               xml_escape(topic.topic), xml_escape(check.name));
            switch (check.status) {
                case CheckStatus::pass:
                    out += fmt::format("><system-out>{}</system-out></testcase>\n",
                                       xml_escape(check.detail));
                    break;
                case CheckStatus::fail:
                    out += fmt::format("><failure message=\"{}\"/></testcase>\n",
                                       xml_escape(check.detail));
                    break;
                case CheckStatus::skipped:
                    out += fmt::format("><skipped message=\"{}\"/></testcase>\n",
                                       xml_escape(check.detail));
                    break;
            }
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

}  // namespace kpipe::topic_check
