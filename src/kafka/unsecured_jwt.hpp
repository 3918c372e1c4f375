#pragma once
// Checks sasl.oauthbearer.config for librdkafka's unsecured JWT (enable.sasl.oauthbearer.
// unsecure.jwt=true, for development brokers) before a client is made. librdkafka 2.0.2 only
// reports a bad config through an error event that quotes it, and its token refresh retry
// then crashes the process 10 s later; a usage error up front names the problem instead.

#include <string_view>

#include "common/expected.hpp"

namespace kpipe::kafka {

// Space-separated name=value settings: principal (required), principalClaimName, scope,
// scopeClaimName, lifeSeconds (a positive whole number) and extension_NAME. Errors name the
// setting, never a value.
Status check_unsecured_jwt_config(std::string_view config);

}  // namespace kpipe::kafka
