#pragma once
// The producer a transform writes outputs and dead letters with, connected before use.

#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/producer.hpp"
#include "pipeline/transform.hpp"

namespace kpipe::pipeline {

// `extra` properties (e.g. transactional.id) are defaults like kpipe's own: the user's -X and
// profile properties override them.
Expected<kafka::Producer> connect_output_producer(
    const config::ClientSettings& settings, const TransformOptions& options,
    kafka::DeliveryListener* listener,
    const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace kpipe::pipeline
