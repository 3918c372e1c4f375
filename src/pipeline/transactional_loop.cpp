#include "pipeline/transactional_loop.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "common/signals.hpp"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"
#include "metrics/run_stats.hpp"
#include "pipeline/output_producer.hpp"

namespace kpipe::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatchSize = 2000;
// A transaction closes after this long or this many input records, whichever
// comes first.
constexpr auto kTransactionInterval = std::chrono::milliseconds(100);
constexpr std::uint64_t kTransactionRecords = 20000;
// Transactions aborted in a row (no commit between them) before the transform gives up: an
// error that comes back every time (e.g. no write permission on --out) is not redone forever.
constexpr int kMaxAbortsInARow = 10;

// One transactional.id per process: members of one group that shared an id would fence each
// other on every start (Kafka's InitProducerId bumps the epoch), so scaling out would stop the
// older member. With KIP-447 the group's metadata, sent with the offsets, fences zombies
// instead. A restart under a new id cannot abort the killed process's open transaction; Kafka
// aborts it after transaction.timeout.ms. --transactional-id gives a stable id (e.g. a pod
// name) whose restart fences and aborts at once.
std::string default_transactional_id(const std::string& group) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return "kpipe-" + group + "-" + (host[0] ? host : "localhost") + "-" + std::to_string(getpid());
}

class TransactionalTransform : public kafka::RebalanceListener {
  public:
    TransactionalTransform(const TransformOptions& options, RecordProcessor& processor)
        : options_(options), processor_(processor) {}

    Expected<TransformSummary> run(const config::ClientSettings& settings) {
        const auto transactional_id =
            options_.transactional_id.value_or(default_transactional_id(options_.group_id()));
        auto producer = connect_output_producer(settings, options_.timeout, nullptr,
                                                {{"transactional.id", transactional_id}});
        if (!producer) return producer.error();
        producer_.emplace(std::move(*producer));
        if (auto error = producer_->init_transactions(options_.timeout)) {
            return Error{error->message + " (transactional.id " + transactional_id + ")"};
        }
        config::ClientSettings consumer_settings = settings;
        consumer_settings.properties.insert(
            consumer_settings.properties.begin(),
            {{"isolation.level", "read_committed"}, {"enable.auto.commit", "false"}});
        auto consumer = kafka::Consumer::create(consumer_settings, options_.group_id(), this);
        if (!consumer) return consumer.error();
        consumer_.emplace(std::move(*consumer));
        if (auto subscribed = consumer_->subscribe({options_.in}); !subscribed) {
            return subscribed.error();
        }
        stats_.set_connected();
        auto failure = loop();
        if (!failure) {
            rewound_ = false;
            failure = close_transaction();
            // Aborted at the very end: nothing redoes it in this run.
            if (!failure && rewound_) {
                failure = Error{"the last transaction was aborted; a restart redoes its work"};
            }
        }
        consumer_->close();
        if (failure) return *failure;
        return summary_;
    }

    void revoking(const std::vector<kafka::TopicPartition>& partitions) override {
        // The open transaction covers these partitions: finish it while they are
        // ours.
        if (auto failure = close_transaction()) revoke_failure_ = failure;
        for (const auto& partition : partitions) at_end_.erase(partition.partition);
    }
    void assigned(const std::vector<kafka::TopicPartition>&) override {}

  private:
    std::optional<Error> loop() {
        std::vector<kafka::MessagePtr> batch;
        std::vector<record::HeaderView> headers;
        while (!stop_requested()) {
            if (revoke_failure_) return revoke_failure_;
            consumer_->poll_batch(batch, kBatchSize, std::chrono::milliseconds(100));
            rewound_ = false;  // a batch polled after a rewind starts at the committed offsets
            stats_.beat();
            for (const auto& message : batch) {
                if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    at_end_.insert(message->partition);
                    continue;
                }
                if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    kafka::log_consumer_error(*message);
                    stats_.error(metrics::ErrorKind::consume);
                    continue;
                }
                at_end_.erase(message->partition);
                if (auto error = handle(kafka::view_of(*message, headers))) return error;
                // The transaction was aborted and the input rewound: the rest of this batch
                // comes again from the committed offsets.
                if (std::exchange(rewound_, false)) break;
                if (options_.count && summary_.in >= *options_.count) return std::nullopt;
            }
            producer_->poll();
            const bool due = open_ && (Clock::now() - opened_at_ >= kTransactionInterval ||
                                       records_in_transaction_ >= kTransactionRecords);
            if (due) {
                if (auto error = close_transaction()) return error;
            }
            if (options_.exit_at_end && !open_ && caught_up()) return std::nullopt;
        }
        return std::nullopt;
    }

    std::optional<Error> handle(const record::RecordView& input) {
        if (!open_) {
            if (auto error = producer_->begin_transaction()) return Error{error->message};
            open_ = true;
            opened_at_ = Clock::now();
            records_in_transaction_ = 0;
        }
        ++summary_.in;
        stats_.records_in.add();
        ++records_in_transaction_;
        next_offsets_[input.partition] = input.offset + 1;
        if (auto cause = processor_.process(input)) {
            ++summary_.dead_lettered;
            log_dead_letter(input, options_.dlq_topic(), *cause);
            stats_.records_dead_lettered.add();
            return send(dead_letters_.build(input, options_.dlq_topic(), *cause));
        }
        const auto& outputs = processor_.outputs();
        if (outputs.size() == 0) {
            ++summary_.filtered;
            stats_.records_filtered.add();
        }
        for (std::size_t i = 0; i < outputs.size(); ++i) {
            if (auto error = send(processor_.output_record(input, options_.out, i))) return error;
            if (rewound_) return std::nullopt;
            ++summary_.out;
            stats_.records_out.add();
            stats_.observe_end_to_end(input.timestamp_ms);
        }
        return std::nullopt;
    }

    // A send refused inside a transaction (librdkafka refuses them once the transaction
    // failed, e.g. when adding the output partition to it failed) aborts it and redoes the work
    // from the last committed offsets.
    std::optional<Error> send(record::RecordView record) {
        record.partition = -1;
        if (auto sent = producer_->send(record); !sent) {
            return abort_and_redo(sent.error().message);
        }
        return std::nullopt;
    }

    // Commits the open transaction with the input offsets it covers. An abortable
    // failure aborts it and rewinds the input to the last committed offsets, so
    // the work is redone.
    std::optional<Error> close_transaction() {
        if (!open_) return std::nullopt;
        open_ = false;
        std::vector<kafka::TopicPartition> offsets;
        for (const auto& [partition, next] : next_offsets_) {
            offsets.push_back({options_.in, partition, next});
        }
        auto group = consumer_->group_metadata();
        auto error = producer_->send_offsets_to_transaction(offsets, *group, options_.timeout);
        if (!error) error = producer_->commit_transaction(options_.timeout);
        if (!error) {
            aborts_in_a_row_ = 0;
            // The same offsets again, outside the transaction: Kafka already has them, but
            // librdkafka's mock cluster (kpipe broker) accepts TxnOffsetCommit without storing
            // it. Committing what a committed transaction covers is always safe.
            if (auto committed = consumer_->commit(offsets); !committed) {
                spdlog::info("{}", committed.error().message);
            }
            next_offsets_.clear();
            return std::nullopt;
        }
        if (!error->abortable) {
            return Error{error->message +
                         "; the open transaction was not committed, so a restart redoes it"};
        }
        return abort_and_redo(error->message);
    }

    // Aborts the open transaction and rewinds the input to the last committed offsets, so the
    // work is redone in a new transaction; fails if the abort does, or after too many in a row.
    std::optional<Error> abort_and_redo(const std::string& why) {
        open_ = false;
        if (++aborts_in_a_row_ > kMaxAbortsInARow) {
            return Error{why + "; gave up after " + std::to_string(kMaxAbortsInARow) +
                         " aborted transactions in a row (a restart redoes the open one)"};
        }
        spdlog::warn("{}; aborting and redoing the transaction", why);
        if (auto aborted = producer_->abort_transaction(options_.timeout)) {
            return Error{why + "; aborting the transaction failed too: " + aborted->message};
        }
        next_offsets_.clear();
        rewound_ = true;
        return rewind();
    }

    std::optional<Error> rewind() {
        auto committed = consumer_->committed(options_.timeout);
        if (!committed) return committed.error();
        if (auto sought = consumer_->seek(*committed, options_.timeout); !sought) {
            return sought.error();
        }
        return std::nullopt;
    }

    bool caught_up() const {
        const auto assigned = consumer_->assignment();
        if (assigned.empty()) return false;
        for (const auto& partition : assigned) {
            if (!at_end_.contains(partition.partition)) return false;
        }
        return true;
    }

    const TransformOptions& options_;
    RecordProcessor& processor_;
    DeadLetterBuilder dead_letters_;
    std::optional<kafka::Producer> producer_;
    std::optional<kafka::Consumer> consumer_;
    std::map<std::int32_t, std::int64_t> next_offsets_;
    std::set<std::int32_t> at_end_;
    bool open_ = false;
    Clock::time_point opened_at_;
    std::uint64_t records_in_transaction_ = 0;
    std::optional<Error> revoke_failure_;
    bool rewound_ = false;  // the input was rewound: drop the rest of the polled batch
    int aborts_in_a_row_ = 0;
    TransformSummary summary_;
    metrics::RunStats& stats_ = metrics::run_stats();
};

}  // namespace

Expected<TransformSummary> run_transactional(const TransformOptions& options,
                                             const config::ClientSettings& settings,
                                             RecordProcessor& processor) {
    if (options.to_stdout()) {
        return usage_error("--exactly-once needs a topic as --out (stdout has no transactions)");
    }
    TransactionalTransform transform(options, processor);
    return transform.run(settings);
}

}  // namespace kpipe::pipeline
