#pragma once
// Reading chosen partitions from chosen offsets by assignment (no consumer group, nothing
// committed), as the round trip and the sampler do.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/consumer.hpp"

namespace kpipe::topic_check {

// `settings` with `defaults` applied before the user's own properties, so -X still wins.
config::ClientSettings with_defaults(config::ClientSettings settings,
                                     std::vector<std::pair<std::string, std::string>> defaults);

// A consumer assigned to `topic`'s partitions at the given offsets, fetching with a short
// wait so reads are not delayed by the broker's fetch.wait.max.ms.
Expected<kafka::Consumer> assigned_consumer(const config::ClientSettings& settings,
                                            const std::string& topic,
                                            const std::vector<kafka::TopicPartition>& starts);

}  // namespace kpipe::topic_check
