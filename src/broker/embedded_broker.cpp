#include "broker/embedded_broker.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/signals.hpp"
#include "kafka/mock_cluster.hpp"

namespace kpipe::broker {
namespace {

Status write_atomically(const std::string& path, const std::string& line) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream file(temporary, std::ios::trunc);
        file << line << '\n';
        if (!file.flush()) return Error{"cannot write the bootstrap file '" + temporary + "'"};
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) return Error{"cannot write the bootstrap file '" + path + "': " + error.message()};
    return ok();
}

}  // namespace

Expected<TopicSpec> parse_topic_spec(std::string_view text) {
    const auto colon = text.rfind(':');
    TopicSpec spec{std::string(text.substr(0, colon)), 1};
    if (colon != std::string_view::npos) {
        const auto count = text.substr(colon + 1);
        auto [end, error] =
            std::from_chars(count.data(), count.data() + count.size(), spec.partitions);
        if (error != std::errc{} || end != count.data() + count.size() || spec.partitions < 1) {
            return usage_error(
                "--topic '" + std::string(text) +
                "': the partition count must be a positive number (NAME:PARTITIONS)");
        }
    }
    if (spec.name.empty()) return usage_error("--topic needs a name (NAME or NAME:PARTITIONS)");
    return spec;
}

Status run_embedded_broker(const BrokerOptions& options, std::ostream& out) {
    auto cluster = kafka::MockCluster::start(options.broker_count);
    if (!cluster) return cluster.error();
    for (const auto& topic : options.topics) {
        auto created =
            cluster->create_topic(topic.name, topic.partitions, std::min(options.broker_count, 3));
        if (!created) return created.error();
    }
    const std::string bootstrap = cluster->bootstrap_servers();
    out << bootstrap << std::endl;
    if (options.bootstrap_file) {
        if (auto written = write_atomically(*options.bootstrap_file, bootstrap); !written) {
            return written.error();
        }
    }
    spdlog::info("embedded broker at {} ({} topics pre-created)", bootstrap, options.topics.size());
    // The cluster serves requests on librdkafka's threads; this one only waits for the signal.
    while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    spdlog::info("embedded broker stopping (signal {})", stop_signal());
    if (options.bootstrap_file) std::remove(options.bootstrap_file->c_str());
    return ok();
}

}  // namespace kpipe::broker
