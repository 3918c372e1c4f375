#include "kafka/client_config.hpp"

#include <array>

#include "config/secrets.hpp"
#include "kafka/unsecured_jwt.hpp"

namespace kpipe::kafka {
namespace {

std::string property(const rd_kafka_conf_t* conf, const char* name) {
    std::string value(256, '\0');
    size_t size = value.size();
    if (rd_kafka_conf_get(conf, name, value.data(), &size) == RD_KAFKA_CONF_INVALID) {
        value.resize(size);
        rd_kafka_conf_get(conf, name, value.data(), &size);
    }
    if (size == 0) return {};
    value.resize(size - 1);  // size counts the terminating NUL
    return value;
}

// librdkafka builds the unsecured JWT only for OAUTHBEARER with the flag on and no refresh
// callback (kpipe sets none).
Status check_unsecured_jwt(const rd_kafka_conf_t* conf) {
    if (property(conf, "enable.sasl.oauthbearer.unsecure.jwt") != "true") return ok();
    if (property(conf, "sasl.mechanisms") != "OAUTHBEARER") return ok();
    return check_unsecured_jwt_config(property(conf, "sasl.oauthbearer.config"));
}

}  // namespace

Status set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
    std::array<char, 512> reason{};
    switch (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason.data(), reason.size())) {
        case RD_KAFKA_CONF_OK:
            return ok();
        case RD_KAFKA_CONF_UNKNOWN:
            return usage_error("unknown Kafka client property '" + name +
                               "' (from -X or the settings file); librdkafka's CONFIGURATION.md "
                               "lists the valid ones");
        case RD_KAFKA_CONF_INVALID:
            break;
    }
    std::string message = "invalid value for Kafka client property '" + name + "'";
    if (!config::is_secret_property(name)) message += ": " + std::string(reason.data());
    return usage_error(std::move(message));
}

Expected<ConfPtr> build_conf(const config::ClientSettings& settings,
                             const PropertyList& role_defaults) {
    ConfPtr conf{rd_kafka_conf_new()};
    for (const auto& [name, value] : role_defaults) {
        if (auto status = set_property(conf.get(), name, value); !status) return status.error();
    }
    if (auto status = set_property(conf.get(), "bootstrap.servers", settings.brokers); !status) {
        return status.error();
    }
    for (const auto& [name, value] : settings.properties) {
        if (auto status = set_property(conf.get(), name, value); !status) return status.error();
    }
    if (auto status = check_unsecured_jwt(conf.get()); !status) return status.error();
    return conf;
}

}  // namespace kpipe::kafka
