#pragma once
// Builds a librdkafka configuration from the resolved settings: kpipe's defaults for the role,
// then the brokers, then the user's properties (profile, then -X), so the user always wins.

#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/handles.hpp"

namespace kpipe::kafka {

using PropertyList = std::vector<std::pair<std::string, std::string>>;

// Returns a usage error naming the property when librdkafka does not know it or rejects its value.
Expected<ConfPtr> build_conf(const config::ClientSettings& settings,
                             const PropertyList& role_defaults);

// Sets one property; the error names the property and never the value of a secret one.
Status set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

}  // namespace kpipe::kafka
