#include "broker/fault_spec.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>
#include <vector>

namespace kpipe::broker {
namespace {

using namespace std::chrono_literals;

// The request types the mock cluster serves, by their Kafka protocol names.
constexpr std::array<std::pair<std::string_view, std::int16_t>, 19> kApis{{
    {"Produce", 0},          {"Fetch", 1},
    {"ListOffsets", 2},      {"Metadata", 3},
    {"OffsetCommit", 8},     {"OffsetFetch", 9},
    {"FindCoordinator", 10}, {"JoinGroup", 11},
    {"Heartbeat", 12},       {"LeaveGroup", 13},
    {"SyncGroup", 14},       {"DescribeGroups", 15},
    {"ListGroups", 16},      {"ApiVersions", 18},
    {"InitProducerId", 22},  {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25}, {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
}};

// Kafka's current names where librdkafka 2.0 still uses older ones.
constexpr std::array<std::pair<std::string_view, std::int32_t>, 4> kKafkaErrorNames{{
    {"NOT_LEADER_OR_FOLLOWER", 6},
    {"UNKNOWN_TOPIC_OR_PARTITION", 3},
    {"CORRUPT_MESSAGE", 2},
    {"MESSAGE_TOO_LARGE", 10},
}};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

template <class Number>
std::optional<Number> parse_number(std::string_view text) {
    Number value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

std::optional<std::int16_t> find_api(std::string_view name) {
    for (const auto& [api, key] : kApis) {
        if (iequals(api, name)) return key;
    }
    return std::nullopt;
}

std::optional<std::int32_t> find_error(std::string_view name) {
    if (auto number = parse_number<std::int32_t>(name)) {
        if (*number > 0) return number;
        return std::nullopt;
    }
    for (const auto& [kafka_name, code] : kKafkaErrorNames) {
        if (iequals(kafka_name, name)) return code;
    }
    const rd_kafka_err_desc* descriptions = nullptr;
    std::size_t count = 0;
    rd_kafka_get_err_descs(&descriptions, &count);
    for (std::size_t i = 0; i < count; ++i) {
        // Only broker errors (positive codes): local ones (_TIMED_OUT...) never travel.
        if (descriptions[i].name != nullptr && descriptions[i].code > 0 &&
            iequals(descriptions[i].name, name)) {
            return descriptions[i].code;
        }
    }
    return std::nullopt;
}

std::string api_list() {
    std::string list;
    for (const auto& [api, key] : kApis) {
        if (!list.empty()) list += ", ";
        list += api;
    }
    return list;
}

// What each kind needs and accepts (besides at= and every=), for messages and validation.
struct KindRule {
    std::string_view name;
    Fault::Kind kind;
    std::string_view usage;
    std::vector<std::string_view> fields;
};

const std::vector<KindRule>& kind_rules() {
    static const std::vector<KindRule> rules{
        {"down", Fault::Kind::down, "down broker=ID [for=TIME]", {"broker", "for"}},
        {"up", Fault::Kind::up, "up broker=ID", {"broker"}},
        {"rtt", Fault::Kind::rtt, "rtt broker=ID ms=MS [for=TIME]", {"broker", "ms", "for"}},
        {"error",
         Fault::Kind::error,
         "error api=API code=ERROR [count=N] [broker=ID]",
         {"api", "code", "count", "broker"}},
        {"leader",
         Fault::Kind::leader,
         "leader topic=NAME [partition=N] [broker=ID]",
         {"topic", "partition", "broker"}},
        {"coordinator",
         Fault::Kind::coordinator,
         "coordinator group=NAME|txn=ID broker=ID",
         {"group", "txn", "broker"}},
    };
    return rules;
}

// The blank-separated words of a spec or control line.
std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    while (!text.empty()) {
        const auto start = text.find_first_not_of(" \t");
        if (start == std::string_view::npos) break;
        text.remove_prefix(start);
        const auto end = text.find_first_of(" \t");
        words.push_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    return words;
}

constexpr std::string_view kKinds = "down, up, rtt, error, leader or coordinator";

class SpecParser {
  public:
    explicit SpecParser(std::string_view text) : text_(text) { fault_.text = std::string(text); }

    Expected<Fault> parse() {
        const std::vector<std::string_view> words = split_words(text_);
        const KindRule* rule = nullptr;
        std::vector<std::pair<std::string_view, std::string_view>> fields;
        for (auto word : words) {
            const auto equals = word.find('=');
            if (equals == std::string_view::npos) {
                const KindRule* found = nullptr;
                for (const auto& candidate : kind_rules()) {
                    if (candidate.name == word) found = &candidate;
                }
                if (found == nullptr) {
                    return fail("unknown word '" + std::string(word) + "'; the fault kind is " +
                                std::string(kKinds) + ", the rest are FIELD=VALUE");
                }
                if (rule != nullptr) {
                    return fail("two fault kinds ('" + std::string(rule->name) + "' and '" +
                                std::string(word) + "'); give one fault per --fault");
                }
                rule = found;
                continue;
            }
            const auto name = word.substr(0, equals);
            for (const auto& [seen, value] : fields) {
                if (seen == name) return fail("'" + std::string(name) + "=' is given twice");
            }
            fields.emplace_back(name, word.substr(equals + 1));
        }
        if (rule == nullptr) {
            return fail("no fault kind; start with " + std::string(kKinds) +
                        " (e.g. 'at=5s down broker=1 for=2s')");
        }
        fault_.kind = rule->kind;
        for (const auto& [name, value] : fields) {
            if (auto applied = apply_field(*rule, name, value); !applied) return applied.error();
        }
        if (auto checked = check_complete(*rule, fields); !checked) return checked.error();
        return fault_;
    }

  private:
    Error fail(const std::string& problem) const {
        return usage_error("fault '" + std::string(text_) + "': " + problem);
    }

    Status apply_field(const KindRule& rule, std::string_view name, std::string_view value) {
        const std::string word = std::string(name) + "=" + std::string(value);
        if (name == "at" || name == "every") {
            auto duration = parse_duration(value);
            if (!duration || (name == "every" && duration->count() == 0)) {
                return fail("'" + word + "' needs a " + (name == "every" ? "positive " : "") +
                            "time with a unit, e.g. " + std::string(name) + "=500ms or " +
                            std::string(name) + "=5s");
            }
            (name == "at" ? fault_.at : fault_.every.emplace()) = *duration;
            return ok();
        }
        if (std::find(rule.fields.begin(), rule.fields.end(), name) == rule.fields.end()) {
            return fail("'" + std::string(name) + "=' does not apply to '" +
                        std::string(rule.name) + "'; write " + std::string(rule.usage) +
                        " [at=TIME] [every=TIME]");
        }
        if (name == "for") {
            auto duration = parse_duration(value);
            if (!duration || duration->count() == 0) {
                return fail("'" + word + "' needs a positive time with a unit, e.g. for=3s");
            }
            fault_.duration = *duration;
        } else if (name == "broker") {
            auto id = parse_number<std::int32_t>(value);
            if (!id || *id < 1) {
                return fail("'" + word + "': broker ids are 1, 2, ... (up to --broker-count)");
            }
            fault_.broker_id = *id;
        } else if (name == "ms") {
            auto ms = parse_number<int>(value);
            if (!ms)
                return fail("'" + word + "': give the added delay in milliseconds, e.g. ms=200");
            fault_.rtt_ms = *ms;
        } else if (name == "count") {
            auto count = parse_number<int>(value);
            if (!count || *count < 1) {
                return fail("'" + word + "': give how many requests fail, e.g. count=5");
            }
            fault_.count = *count;
        } else if (name == "api") {
            auto api = find_api(value);
            if (!api)
                return fail("unknown api '" + std::string(value) + "'; use one of " + api_list());
            fault_.api_key = *api;
        } else if (name == "code") {
            auto code = find_error(value);
            if (!code) {
                return fail("unknown Kafka error '" + std::string(value) +
                            "'; use a broker error name such as NOT_LEADER_OR_FOLLOWER, "
                            "REQUEST_TIMED_OUT, NOT_COORDINATOR, or its number");
            }
            fault_.error_code = *code;
        } else if (name == "topic" || name == "group" || name == "txn") {
            if (value.empty()) return fail("'" + word + "' needs a name");
            if (name == "topic") {
                fault_.topic = std::string(value);
            } else {
                if (!fault_.coordinator_type.empty()) {
                    return fail("give either group= or txn=, not both");
                }
                fault_.coordinator_type = name == "group" ? "group" : "transaction";
                fault_.coordinator_key = std::string(value);
            }
        } else if (name == "partition") {
            auto partition = parse_number<std::int32_t>(value);
            if (!partition) return fail("'" + word + "': partitions are numbered 0, 1, ...");
            fault_.partition = *partition;
        }
        return ok();
    }

    Status check_complete(
        const KindRule& rule,
        const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
        const auto has = [&](std::string_view name) {
            return std::any_of(fields.begin(), fields.end(),
                               [&](const auto& field) { return field.first == name; });
        };
        const auto missing = [&](std::string_view name) {
            return fail("'" + std::string(rule.name) + "' needs " + std::string(name) +
                        "=; write " + std::string(rule.usage));
        };
        switch (fault_.kind) {
            case Fault::Kind::down:
            case Fault::Kind::up:
                if (!has("broker")) return missing("broker");
                break;
            case Fault::Kind::rtt:
                if (!has("broker")) return missing("broker");
                if (!has("ms")) return missing("ms");
                break;
            case Fault::Kind::error:
                if (!has("api")) return missing("api");
                if (!has("code")) return missing("code");
                break;
            case Fault::Kind::leader:
                if (!has("topic")) return missing("topic");
                break;
            case Fault::Kind::coordinator:
                if (fault_.coordinator_type.empty()) return missing("group");
                if (!has("broker")) return missing("broker");
                break;
        }
        if (fault_.duration && fault_.every && *fault_.duration >= *fault_.every) {
            return fail("for=" + format_duration(*fault_.duration) +
                        " must be shorter than every=" + format_duration(*fault_.every) +
                        ", or the fault never ends");
        }
        return ok();
    }

    std::string_view text_;
    Fault fault_;
};

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::int64_t scale = 0;
    std::string_view number = text;
    if (text.ends_with("ms")) {
        scale = 1;
        number.remove_suffix(2);
    } else if (text.ends_with("s")) {
        scale = 1000;
        number.remove_suffix(1);
    } else if (text.ends_with("m")) {
        scale = 60'000;
        number.remove_suffix(1);
    } else {
        return std::nullopt;
    }
    auto value = parse_number<std::int64_t>(number);
    if (!value || *value > 1'000'000'000) return std::nullopt;
    return std::chrono::milliseconds(*value * scale);
}

std::string format_duration(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string api_name(std::int16_t api_key) {
    for (const auto& [api, key] : kApis) {
        if (key == api_key) return std::string(api);
    }
    return std::to_string(api_key);
}

std::string error_name(std::int32_t error_code) {
    for (const auto& [name, code] : kKafkaErrorNames) {
        if (code == error_code) return std::string(name);
    }
    return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error_code));
}

Expected<Fault> parse_fault_spec(std::string_view text) {
    return SpecParser(text).parse();
}

Expected<Fault> parse_control_command(std::string_view line) {
    // Legacy forms: "down ID", "up ID", "rtt ID MS" (positional numbers).
    std::string rewritten;
    const std::vector<std::string_view> words = split_words(line);
    const bool positional = words.size() >= 2 && words[1].find('=') == std::string_view::npos;
    if (positional && (words[0] == "down" || words[0] == "up") && words.size() == 2) {
        rewritten = std::string(words[0]) + " broker=" + std::string(words[1]);
    } else if (positional && words[0] == "rtt" && words.size() == 3) {
        rewritten = "rtt broker=" + std::string(words[1]) + " ms=" + std::string(words[2]);
    } else if (positional) {
        return usage_error("unknown control command '" + std::string(line) +
                           "'; use 'down ID', 'up ID', 'rtt ID MS' or a fault spec such as "
                           "'error api=Produce code=NOT_LEADER_OR_FOLLOWER count=3'");
    }
    auto fault = parse_fault_spec(rewritten.empty() ? line : std::string_view(rewritten));
    if (fault) fault->text = std::string(line);
    return fault;
}

std::string describe(const Fault& fault) {
    const std::string broker = fault.broker_id ? std::to_string(*fault.broker_id) : "?";
    std::string text;
    switch (fault.kind) {
        case Fault::Kind::down:
            text = "broker " + broker + " down";
            break;
        case Fault::Kind::up:
            text = "broker " + broker + " up";
            break;
        case Fault::Kind::rtt:
            text = "broker " + broker + " responds " + std::to_string(fault.rtt_ms) + " ms late";
            break;
        case Fault::Kind::error:
            text = "the next " + std::to_string(fault.count) + " " + api_name(fault.api_key) +
                   " request" + (fault.count == 1 ? "" : "s") +
                   (fault.broker_id ? " to broker " + broker : std::string()) + " fail with " +
                   error_name(fault.error_code);
            break;
        case Fault::Kind::leader:
            text = "leader of " + fault.topic +
                   (fault.partition ? " partition " + std::to_string(*fault.partition)
                                    : std::string(" (every partition)")) +
                   (fault.broker_id ? " moves to broker " + broker : " moves to the next broker");
            break;
        case Fault::Kind::coordinator:
            text = fault.coordinator_type + " coordinator of '" + fault.coordinator_key +
                   "' moves to broker " + broker;
            break;
    }
    if (fault.duration) text += " for " + format_duration(*fault.duration);
    return text;
}

}  // namespace kpipe::broker
