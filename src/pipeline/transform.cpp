#include "pipeline/transform.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/signals.hpp"
#include "io/line_reader.hpp"
#include "io/output_writer.hpp"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"
#include "log/structured_log.hpp"
#include "metrics/run_stats.hpp"
#include "pipeline/group_progress.hpp"
#include "pipeline/offset_tracker.hpp"
#include "pipeline/output_producer.hpp"
#include "pipeline/record_processor.hpp"
#include "pipeline/transactional_loop.hpp"
#include "record/envelope.hpp"

namespace kpipe::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatchSize = 2000;
constexpr auto kStoreInterval = std::chrono::milliseconds(200);

// Records on stdout (values or envelopes) or in a dead-letter file.
class LineSink {
  public:
    LineSink(int fd, bool envelope) : output_(fd), envelope_(envelope) {}

    bool write(const record::RecordView& record) {
        if (envelope_) {
            encoder_.encode(record, output_.buffer());
        } else if (record.value) {
            output_.buffer().append(*record.value);
        }
        return output_.write("\n");
    }
    bool flush() { return output_.flush(); }
    io::OutputWriter& writer() { return output_; }

  private:
    io::OutputWriter output_;
    bool envelope_;
    record::EnvelopeEncoder encoder_;
};

static_assert(io::LineReader::kReadablePadding >= filter::Filter::kReadablePadding);

// stdin -> stdout or a topic. Dead letters go to --dlq-file or stderr.
Expected<TransformSummary> run_from_stdin(const TransformOptions& options,
                                          const config::ClientSettings& settings,
                                          RecordProcessor& processor) {
    TransformSummary summary;
    OffsetTracker unused;
    TrackingListener listener(unused);
    std::optional<kafka::Producer> producer;
    std::optional<LineSink> stdout_sink;
    if (options.to_stdout()) {
        stdout_sink.emplace(STDOUT_FILENO, options.envelope);
    } else {
        auto created = connect_output_producer(settings, options.timeout, &listener);
        if (!created) return created.error();
        producer.emplace(std::move(*created));
    }
    auto& stats = metrics::run_stats();
    stats.set_connected();
    int dlq_fd = STDERR_FILENO;
    if (options.dlq_file) {
        dlq_fd = ::open(options.dlq_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (dlq_fd < 0) {
            return Error{"cannot open --dlq-file '" + *options.dlq_file +
                         "': " + std::strerror(errno)};
        }
    }
    LineSink dead_letters(dlq_fd, true);
    DeadLetterBuilder builder;
    record::EnvelopeDecoder envelope_decoder;
    record::Record envelope;
    std::vector<record::HeaderView> envelope_headers;

    io::LineReader reader(STDIN_FILENO, "stdin");
    reader.on_idle([&] {
        stats.waiting_for_input();
        if (stdout_sink) stdout_sink->flush();
        dead_letters.flush();
    });
    std::string_view line;
    bool output_ok = true;
    while (output_ok && !stop_requested() && reader.next(line)) {
        if (options.count && summary.in >= *options.count) break;
        ++summary.in;
        stats.records_in.add();
        stats.beat();
        record::RecordView input;
        input.topic = "-";
        input.offset = static_cast<std::int64_t>(reader.line_number());
        std::optional<DeadLetterCause> cause;
        std::string message;
        if (options.envelope) {
            if (auto decoded = envelope_decoder.decode(line, envelope); !decoded) {
                message = "stdin line " + std::to_string(reader.line_number()) + ": " +
                          decoded.error().message;
                cause = DeadLetterCause{FailureStage::value_converter, kInvalidJsonClass, message};
                input.value = line;
            } else {
                input.topic = envelope.topic;
                input.partition = envelope.partition;
                input.offset = envelope.offset;
                input.timestamp_ms = envelope.timestamp_ms;
                input.timestamp_type = envelope.timestamp_type;
                input.key = envelope.key;
                input.value = envelope.value;
                envelope_headers.clear();
                for (const auto& header : envelope.headers) {
                    envelope_headers.push_back({header.name, header.value});
                }
                input.headers = envelope_headers;
            }
        } else {
            input.value = line;
        }
        if (!cause) {
            // A plain line lies in the reader's padded buffer, with the lines after it.
            cause = options.envelope
                        ? processor.process(input)
                        : processor.process_line(input, reader.block(), reader.block_id());
        }
        if (cause) {
            ++summary.dead_lettered;
            log_dead_letter(input, options.dlq_file.value_or("stderr"), *cause);
            stats.records_dead_lettered.add();
            output_ok = dead_letters.write(builder.build(input, options.dlq_topic(), *cause));
            continue;
        }
        const auto& outputs = processor.outputs();
        if (outputs.size() == 0) {
            ++summary.filtered;
            stats.records_filtered.add();
        }
        for (std::size_t i = 0; i < outputs.size() && output_ok; ++i) {
            auto output = processor.output_record(input, options.out, i);
            if (stdout_sink) {
                output_ok = stdout_sink->write(output);
            } else {
                output.partition = -1;
                if (auto sent = producer->send(output); !sent) return sent.error();
                if ((summary.out & 1023) == 0) producer->poll();
            }
            ++summary.out;
            stats.records_out.add();
            stats.observe_end_to_end(input.timestamp_ms);
        }
    }
    dead_letters.flush();
    if (dlq_fd != STDERR_FILENO) ::close(dlq_fd);
    if (stdout_sink) {
        stdout_sink->flush();
        summary.output_closed = stdout_sink->writer().closed_pipe();
        if (!stdout_sink->writer().error().empty() && !summary.output_closed) {
            return Error{stdout_sink->writer().error()};
        }
    }
    if (producer) {
        drain(*producer);
        if (producer->counts().failed > 0) {
            return Error{std::to_string(producer->counts().failed) + " of " +
                         std::to_string(summary.out) + " records were not acknowledged (" +
                         producer->counts().first_failure + ")"};
        }
    }
    if (!reader.error().empty()) return Error{reader.error()};
    return summary;
}

// A topic -> a topic or stdout, at least once: input offsets are stored for
// commit only when every output and dead letter they produced is acknowledged
// (or written to stdout).
class KafkaTransform {
  public:
    KafkaTransform(const TransformOptions& options, RecordProcessor& processor)
        : options_(options),
          processor_(processor),
          listener_(tracker_),
          progress_(options.in, tracker_, [this] { return flush_stdout(); }) {}

    Expected<TransformSummary> run(const config::ClientSettings& settings) {
        if (auto connected =
                progress_.connect(settings, options_.group_id(), options_.timeout, &listener_);
            !connected) {
            return connected.error();
        }
        if (auto subscribed = progress_.consumer().subscribe({options_.in}); !subscribed) {
            return subscribed.error();
        }
        stats_.set_connected();
        if (options_.to_stdout()) stdout_sink_.emplace(STDOUT_FILENO, options_.envelope);

        auto failure = loop();
        finish();
        if (failure) return *failure;
        if (tracker_.has_failure())
            return Error{undeliverable(progress_.producer(), *tracker_.failure())};
        return summary_;
    }

  private:
    std::optional<Error> loop() {
        std::vector<kafka::MessagePtr> batch;
        std::vector<record::HeaderView> headers;
        auto last_store = Clock::now();
        while (!stop_requested() && !tracker_.has_failure() && !summary_.output_closed) {
            progress_.consumer().poll_batch(batch, kBatchSize, std::chrono::milliseconds(100));
            stats_.beat();
            for (const auto& message : batch) {
                if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    progress_.reached_end(message->partition);
                    continue;
                }
                if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    const std::string reason = rd_kafka_message_errstr(message.get());
                    if (message->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                        message->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
                        return Error{"cannot read topic '" + options_.in + "': " + reason};
                    }
                    kafka::log_consumer_error(*message);
                    stats_.error(metrics::ErrorKind::consume);
                    continue;
                }
                progress_.left_end(message->partition);
                if (auto error = handle(kafka::view_of(*message, headers)); error) return error;
                if (summary_.output_closed) return std::nullopt;  // `| head` is done reading
                if (options_.count && summary_.in >= *options_.count) return std::nullopt;
            }
            progress_.producer().poll();
            if (Clock::now() - last_store >= kStoreInterval) {
                progress_.commit(false);
                last_store = Clock::now();
            }
            if (options_.exit_at_end && progress_.caught_up()) return std::nullopt;
        }
        return std::nullopt;
    }

    std::optional<Error> handle(const record::RecordView& input) {
        ++summary_.in;
        stats_.records_in.add();
        auto& slot = tracker_.track(input.partition, input.offset);
        if (auto cause = processor_.process(input)) {
            ++summary_.dead_lettered;
            log_dead_letter(input, options_.dlq_topic(), *cause);
            stats_.records_dead_lettered.add();
            if (auto error = send(dead_letters_.build(input, options_.dlq_topic(), *cause), slot)) {
                return error;
            }
        } else {
            const auto& outputs = processor_.outputs();
            if (outputs.size() == 0) {
                ++summary_.filtered;
                stats_.records_filtered.add();
            }
            for (std::size_t i = 0; i < outputs.size(); ++i) {
                auto output = processor_.output_record(input, options_.out, i);
                if (stdout_sink_) {
                    if (!stdout_sink_->write(output)) return output_failure();
                } else if (auto error = send(output, slot)) {
                    return error;
                }
                ++summary_.out;
                stats_.records_out.add();
                stats_.observe_end_to_end(input.timestamp_ms);
            }
        }
        tracker_.seal(slot);
        return std::nullopt;
    }

    std::optional<Error> send(record::RecordView record, OffsetTracker::Slot& slot) {
        record.partition = -1;
        OffsetTracker::add_pending(slot);
        if (auto sent = progress_.producer().send(record, &slot); !sent) {
            tracker_.delivered(slot, true);
            return Error{"cannot send a record for input partition " +
                         std::to_string(slot.partition) + " offset " + std::to_string(slot.offset) +
                         ": " + sent.error().message};
        }
        return std::nullopt;
    }

    std::optional<Error> output_failure() {
        if (stdout_sink_->writer().closed_pipe()) {
            summary_.output_closed = true;
            return std::nullopt;
        }
        stats_.error(metrics::ErrorKind::output);
        return Error{stdout_sink_->writer().error()};
    }

    // Records written to stdout count as done only once they are out of our buffer.
    bool flush_stdout() { return !stdout_sink_ || stdout_sink_->flush(); }

    void finish() {
        if (stdout_sink_) {
            stdout_sink_->flush();
            summary_.output_closed = summary_.output_closed || stdout_sink_->writer().closed_pipe();
        }
        progress_.finish(options_.timeout);
    }

    const TransformOptions& options_;
    RecordProcessor& processor_;
    OffsetTracker tracker_;
    TrackingListener listener_;
    GroupProgress progress_;
    DeadLetterBuilder dead_letters_;
    std::optional<LineSink> stdout_sink_;
    TransformSummary summary_;
    metrics::RunStats& stats_ = metrics::run_stats();
};

}  // namespace

Expected<TransformSummary> run_transform(const TransformOptions& options,
                                         const config::ClientSettings& settings) {
    const auto started = Clock::now();
    auto filter = filter::Filter::compile(options.filter, options.variables);
    if (!filter) return filter.error();
    auto shape = OutputShape::compile(options.shape, options.variables);
    if (!shape) return shape.error();
    RecordProcessor processor(std::move(*filter), options.max_record_bytes, std::move(*shape));
    Expected<TransformSummary> summary = TransformSummary{};
    if (options.from_stdin()) {
        summary = run_from_stdin(options, settings, processor);
    } else if (options.exactly_once) {
        summary = run_transactional(options, settings, processor);
    } else {
        KafkaTransform transform(options, processor);
        summary = transform.run(settings);
    }
    if (summary) {
        summary->seconds = std::chrono::duration<double>(Clock::now() - started).count();
        summary->interrupted = stop_requested();
    }
    return summary;
}

}  // namespace kpipe::pipeline
