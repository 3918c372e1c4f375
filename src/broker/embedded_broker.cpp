#include "broker/embedded_broker.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "broker/fault_injector.hpp"
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

namespace {

// `field` of the --topic value `text` as a positive count of `what`, or a usage error.
Expected<int> positive_count(std::string_view field, std::string_view text, const char* what) {
    int count = 0;
    auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), count);
    if (error != std::errc{} || end != field.data() + field.size() || count < 1) {
        return usage_error("--topic '" + std::string(text) + "': the " + what +
                           " must be a positive number (NAME[:PARTITIONS[:REPLICAS]])");
    }
    return count;
}

std::vector<std::string_view> split_words(std::string_view text, char separator) {
    std::vector<std::string_view> words;
    while (true) {
        const auto at = text.find(separator);
        words.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return words;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

Expected<TopicSpec> parse_topic_spec(std::string_view text) {
    const auto fields = split_words(text, ':');
    if (fields.size() > 3) {
        return usage_error("--topic '" + std::string(text) +
                           "': expected NAME[:PARTITIONS[:REPLICAS]]");
    }
    TopicSpec spec{std::string(fields[0]), 1, std::nullopt};
    if (fields.size() > 1) {
        auto partitions = positive_count(fields[1], text, "partition count");
        if (!partitions) return partitions.error();
        spec.partitions = *partitions;
    }
    if (fields.size() > 2) {
        auto replicas = positive_count(fields[2], text, "replication factor");
        if (!replicas) return replicas.error();
        spec.replicas = *replicas;
    }
    if (spec.name.empty()) {
        return usage_error("--topic needs a name (NAME[:PARTITIONS[:REPLICAS]])");
    }
    return spec;
}

namespace {

// Reads stdin without blocking the stop-signal check; answers each complete line.
class ControlChannel {
  public:
    // Waits up to `wait` for input and handles every complete line; false once stdin closed.
    bool serve(FaultInjector& faults, std::ostream& out, std::chrono::milliseconds wait) {
        pollfd input{STDIN_FILENO, POLLIN, 0};
        if (::poll(&input, 1, static_cast<int>(wait.count())) <= 0) return true;
        char chunk[4096];
        const auto count = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (count <= 0) return false;
        pending_.append(chunk, static_cast<std::size_t>(count));
        for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n')) {
            std::string line = pending_.substr(0, end);
            pending_.erase(0, end + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            // A fault without at= fires here, before the answer: "ok" means it is in effect.
            const auto now = FaultInjector::Clock::now();
            auto fault = parse_control_command(line);
            Status status = fault ? faults.add(*fault, now) : Status(fault.error());
            if (status) status = faults.run_due(now);
            spdlog::info("control: {}: {}", line, status ? "ok" : status.error().message);
            out << (status ? std::string("ok") : "error: " + status.error().message) << std::endl;
        }
        return true;
    }

  private:
    std::string pending_;
};

}  // namespace

Status run_embedded_broker(const BrokerOptions& options, std::ostream& out,
                           std::ostream& fault_log) {
    for (const auto& fault : options.faults) {
        if (auto checked = check_fault_brokers(fault, options.broker_count); !checked) {
            return Error{"--" + checked.error().message, ErrorKind::usage};
        }
    }
    auto cluster = kafka::MockCluster::start(options.broker_count);
    if (!cluster) return cluster.error();
    for (const auto& topic : options.topics) {
        const int replicas = topic.replicas.value_or(std::min(options.broker_count, 3));
        if (replicas > options.broker_count) {
            return usage_error("--topic " + topic.name + ": replication factor " +
                               std::to_string(replicas) + " needs at least that many brokers; " +
                               "raise --broker-count");
        }
        auto created = cluster->create_topic(topic.name, topic.partitions, replicas);
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
    // Faults are timed from here: the bootstrap list is out, clients may connect.
    const auto start = FaultInjector::Clock::now();
    FaultInjector faults(*cluster, fault_log, start);
    for (const auto& fault : options.faults) {
        if (auto added = faults.add(fault, start); !added) return added.error();
    }
    ControlChannel control;
    bool control_open = options.control;
    // 10 ms ticks: a fault fires within 10 ms of its time.
    constexpr auto tick = std::chrono::milliseconds(10);
    while (!stop_requested()) {
        (void)faults.run_due(FaultInjector::Clock::now());  // failures are on the fault log
        if (control_open) {
            control_open = control.serve(faults, out, tick);
        } else {
            std::this_thread::sleep_for(tick);
        }
    }
    spdlog::info("embedded broker stopping (signal {})", stop_signal());
    if (options.bootstrap_file) std::remove(options.bootstrap_file->c_str());
    return ok();
}

}  // namespace kpipe::broker
