#include <iostream>

#include "broker/embedded_broker.hpp"
#include "commands.hpp"
#include "common/signals.hpp"

namespace kpipe::cli {

void add_broker_command(CLI::App& app, const GlobalOptions& globals, CommandResult& result) {
    auto* command = app.add_subcommand(
        "broker",
        "Run an in-memory development Kafka cluster on 127.0.0.1 until SIGINT/SIGTERM.\n"
        "It is librdkafka's mock cluster: the real protocol on a random port, printed on\n"
        "stdout. Limits: memory only; about 5 MB or 100,000 batches kept per partition\n"
        "(older data is dropped); no TLS/SASL; no CreateTopics/DeleteTopics/DescribeConfigs\n"
        "or group listing; a producer's metadata request auto-creates unknown topics with\n"
        "4 partitions; transactions are accepted but aborted records are not hidden.\n"
        "With --control, fault-injection commands are read from stdin, one per line, each\n"
        "answered on stdout with 'ok' or 'error: ...': 'down ID' (broker ID closes its\n"
        "connections and refuses new ones, but stays in metadata), 'up ID', 'rtt ID MS'\n"
        "(delay every response of broker ID by MS milliseconds), to rehearse faults.");
    struct Options {
        broker::BrokerOptions broker;
        std::vector<std::string> topics;
    };
    auto options = std::make_shared<Options>();
    command
        ->add_option("--broker-count", options->broker.broker_count,
                     "Number of brokers in the cluster")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    command->add_option("--topic", options->topics,
                        "Pre-create a topic: NAME[:PARTITIONS[:REPLICAS]] (repeatable; default 1 "
                        "partition, replication factor min(broker count, 3))");
    command->add_flag("--control", options->broker.control,
                      "Read fault-injection commands from stdin: down ID, up ID, rtt ID MS");
    command->add_option("--bootstrap-file", options->broker.bootstrap_file,
                        "Also write the bootstrap list to this file (removed at exit)");
    command->callback([&globals, &result, options] {
        configure_logging(globals, "broker");
        for (const auto& text : options->topics) {
            auto spec = broker::parse_topic_spec(text);
            if (!spec) {
                result.exit_code = report(spec.error());
                return;
            }
            options->broker.topics.push_back(*spec);
        }
        install_stop_signal_handlers();
        auto status = broker::run_embedded_broker(options->broker, std::cout);
        result.exit_code = status ? kExitOk : report(status.error());
    });
}

}  // namespace kpipe::cli
