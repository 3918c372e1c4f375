#pragma once
// The producer a transform (or a replay) writes outputs and dead letters with, connected before
// use; `timeout` bounds the connection and each record's delivery.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/producer.hpp"

namespace kpipe::pipeline {

// `extra` properties (e.g. transactional.id) are defaults like kpipe's own: the user's -X and
// profile properties override them.
Expected<kafka::Producer> connect_output_producer(
    const config::ClientSettings& settings, std::chrono::milliseconds timeout,
    kafka::DeliveryListener* listener,
    const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace kpipe::pipeline
