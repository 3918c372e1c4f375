#include "produce/produce.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "common/signals.hpp"
#include "generate/login_event_generator.hpp"
#include "io/line_reader.hpp"
#include "io/output_writer.hpp"
#include "kafka/producer.hpp"
#include "metrics/run_stats.hpp"
#include "record/envelope.hpp"

namespace kpipe::produce {
namespace {

using Clock = std::chrono::steady_clock;

// The seed document's sample event is from this moment; seeded runs start here so they are
// reproducible, unseeded ones start now.
constexpr std::int64_t kSeedEpochSeconds = 1694479551;

// Where records go: the broker, or stdout as envelopes for --dry-run.
class RecordSink {
  public:
    RecordSink(const ProduceOptions& options, std::optional<kafka::Producer> producer)
        : options_(options), producer_(std::move(producer)) {
        for (const auto& [name, value] : options.headers) fixed_headers_.push_back({name, value});
    }

    Status send(record::RecordView& view) {
        view.topic = options_.topic;
        view.partition = options_.partition;
        if (!fixed_headers_.empty()) {
            headers_.assign(view.headers.begin(), view.headers.end());
            headers_.insert(headers_.end(), fixed_headers_.begin(), fixed_headers_.end());
            view.headers = headers_;
        }
        if (!producer_) {
            encoder_.encode(view, output_.buffer());
            if (!output_.write("\n")) {
                output_broken_ = true;
                return Error{output_.error()};
            }
            ++records_;
            stats_.records_out.add();
            return ok();
        }
        auto sent = producer_->send(view);
        if (sent) {
            ++records_;
            stats_.records_out.add();
        }
        stats_.beat();
        if ((records_ & 1023) == 0) producer_->poll();
        return sent;
    }

    // A record the producer refused is that record's problem; broken output ends the run.
    bool output_broken() const { return output_broken_; }

    // Serves delivery reports while waiting, e.g. for a rate limit.
    void wait_until(Clock::time_point when) {
        while (Clock::now() < when && !stop_requested()) {
            if (producer_) producer_->poll();
            std::this_thread::sleep_for(
                std::min<Clock::duration>(when - Clock::now(), std::chrono::milliseconds(5)));
        }
    }

    // Waits for every delivery report; librdkafka's message timeout bounds the wait.
    void finish(ProduceSummary& summary) {
        summary.records = records_;
        if (!producer_) {
            output_.flush();
            return;
        }
        while (!producer_->flush(std::chrono::milliseconds(200))) {
        }
        const auto& counts = producer_->counts();
        summary.acknowledged = counts.acknowledged;
        summary.failed = counts.failed;
        summary.first_failure = counts.first_failure;
    }

  private:
    const ProduceOptions& options_;
    std::optional<kafka::Producer> producer_;
    std::vector<record::HeaderView> fixed_headers_;
    std::vector<record::HeaderView> headers_;
    std::uint64_t records_ = 0;
    metrics::RunStats& stats_ = metrics::run_stats();
    bool output_broken_ = false;
    record::EnvelopeEncoder encoder_;
    io::OutputWriter output_{STDOUT_FILENO};
};

Status produce_generated(const GenerateOptions& generate, RecordSink& sink,
                         ProduceSummary& summary) {
    const auto seed = generate.seed.value_or(std::random_device{}());
    const auto start_seconds = generate.seed
                                   ? kSeedEpochSeconds
                                   : std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
    generate::LoginEventGenerator generator(seed, start_seconds);
    std::string key;
    std::string value;
    const auto started = Clock::now();
    for (std::uint64_t i = 0; generate.count == 0 || i < generate.count; ++i) {
        if (stop_requested()) break;
        if (generate.rate > 0) {
            sink.wait_until(started + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(i / generate.rate)));
        }
        if (!generate.seed) {
            // Live events carry the time they were made; seeded runs stay reproducible.
            generator.set_time(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
        }
        generator.next(key, value);
        metrics::run_stats().records_in.add();
        record::RecordView view;
        view.key = key;
        view.value = value;
        if (auto sent = sink.send(view); !sent) {
            if (sink.output_broken()) return sent;
            ++summary.rejected_lines;
            metrics::run_stats().error(metrics::ErrorKind::input);
            spdlog::error("generated record {}: {}", i + 1, sent.error().message);
        }
    }
    return ok();
}

// Feeds one input's lines to the sink; bad lines are reported and counted, not sent.
Status produce_lines(int fd, const std::string& name, LineDecoder& decoder, RecordSink& sink,
                     ProduceSummary& summary) {
    io::LineReader reader(fd, name);
    reader.on_idle([] { metrics::run_stats().waiting_for_input(); });
    std::string_view line;
    record::RecordView view;
    while (!stop_requested() && reader.next(line)) {
        if (decoder.is_blank(line)) continue;
        metrics::run_stats().records_in.add();
        auto accepted = decoder.decode(line, view);
        if (accepted) {
            accepted = sink.send(view);
            if (!accepted && sink.output_broken()) return accepted;
        }
        if (!accepted) {
            ++summary.rejected_lines;
            metrics::run_stats().error(metrics::ErrorKind::input);
            spdlog::error("{} line {}: {}; line not sent", name, reader.line_number(),
                          accepted.error().message);
        }
    }
    if (!reader.error().empty()) return Error{reader.error()};
    return ok();
}

Expected<std::vector<int>> open_inputs(const std::vector<std::string>& files) {
    std::vector<int> descriptors;
    for (const auto& file : files) {
        if (file == "-") {
            descriptors.push_back(STDIN_FILENO);
            continue;
        }
        const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            for (int opened : descriptors) {
                if (opened != STDIN_FILENO) ::close(opened);
            }
            return Error{"cannot open '" + file + "': " + std::strerror(errno)};
        }
        descriptors.push_back(fd);
    }
    return descriptors;
}

}  // namespace

const std::vector<std::string>& generator_kinds() {
    static const std::vector<std::string> kinds = {"user-login"};
    return kinds;
}

Expected<ProduceSummary> run_produce(const ProduceOptions& options,
                                     const config::ClientSettings& settings) {
    const auto started = Clock::now();
    const std::vector<std::string> files =
        options.files.empty() ? std::vector<std::string>{"-"} : options.files;
    std::vector<int> inputs;
    if (!options.generate) {
        auto opened = open_inputs(files);
        if (!opened) return opened.error();
        inputs = std::move(*opened);
    }

    std::optional<kafka::Producer> producer;
    if (!options.dry_run) {
        // --timeout bounds how long a record may wait for the broker; -X can still override.
        config::ClientSettings with_timeout = settings;
        with_timeout.properties.insert(
            with_timeout.properties.begin(),
            {"message.timeout.ms", std::to_string(options.timeout.count())});
        auto created = kafka::Producer::create(with_timeout);
        if (!created) return created.error();
        if (auto reachable = created->client().wait_until_reachable(options.timeout); !reachable) {
            return reachable.error();
        }
        producer.emplace(std::move(*created));
    }
    metrics::run_stats().set_connected();

    RecordSink sink(options, std::move(producer));
    ProduceSummary summary;
    Status fed = ok();
    if (options.generate) {
        fed = produce_generated(*options.generate, sink, summary);
    } else {
        LineDecoder decoder(options.decoding);
        for (std::size_t i = 0; i < inputs.size() && fed; ++i) {
            const auto& name = files[i] == "-" ? std::string("stdin") : files[i];
            fed = produce_lines(inputs[i], name, decoder, sink, summary);
        }
        for (int fd : inputs) {
            if (fd != STDIN_FILENO) ::close(fd);
        }
    }
    sink.finish(summary);
    summary.interrupted = stop_requested();
    summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!fed) return fed.error();
    return summary;
}

}  // namespace kpipe::produce
