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
        "4 partitions; transactions are accepted but aborted records are not hidden.");
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
                        "Pre-create a topic: NAME or NAME:PARTITIONS (repeatable)");
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
