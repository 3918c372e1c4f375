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
        "Faults, to rehearse them (see kpipe-broker(1), FAULTS): --fault SPEC schedules one\n"
        "from the start; with --control, stdin takes one SPEC per line (at= counts from the\n"
        "line), each answered on stdout with 'ok' (in effect) or 'error: ...'. SPEC is a\n"
        "kind and FIELD=VALUE words; [at=TIME] [every=TIME] go with any kind; TIME is 500ms,\n"
        "5s, 2m:\n"
        "  down broker=ID [for=TIME]     close its connections, refuse new ones (it stays\n"
        "                                in metadata); for= brings it back up\n"
        "  up broker=ID\n"
        "  rtt broker=ID ms=MS [for=TIME]  delay every response of the broker\n"
        "  error api=API code=ERROR [count=N] [broker=ID]  fail the next N requests, e.g.\n"
        "                                api=Produce code=NOT_LEADER_OR_FOLLOWER count=5\n"
        "  leader topic=T [partition=P] [broker=ID]  move partition leaders (no broker=:\n"
        "                                to the next broker, each round)\n"
        "  coordinator group=G|txn=ID broker=ID  move a group's or transaction's coordinator\n"
        "Each fault is reported on stderr as it fires. Control also takes 'down ID', 'up ID'\n"
        "and 'rtt ID MS'.");
    struct Options {
        broker::BrokerOptions broker;
        std::vector<std::string> topics;
        std::vector<std::string> faults;
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
    command
        ->add_option("--fault", options->faults,
                     "Inject a fault (repeatable), e.g. 'at=5s down broker=2 for=3s', "
                     "'at=2s error api=Produce code=NOT_LEADER_OR_FOLLOWER count=5', "
                     "'every=10s leader topic=T', 'rtt broker=1 ms=200'")
        ->allow_extra_args(false);
    command->add_flag("--control", options->broker.control,
                      "Read faults from stdin, one SPEC (as --fault) per line, answered on stdout");
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
        for (const auto& text : options->faults) {
            auto fault = broker::parse_fault_spec(text);
            if (!fault) {
                result.exit_code = report(Error{"--" + fault.error().message, ErrorKind::usage});
                return;
            }
            options->broker.faults.push_back(*fault);
        }
        install_stop_signal_handlers();
        auto status = broker::run_embedded_broker(options->broker, std::cout, std::cerr);
        result.exit_code = status ? kExitOk : report(status.error());
    });
}

}  // namespace kpipe::cli
