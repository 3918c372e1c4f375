#include "kafka/client.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <thread>

#include "config/secrets.hpp"
#include "kafka/security_failure.hpp"
#include "log/structured_log.hpp"

namespace kpipe::kafka {
namespace {

// librdkafka's own errors are context for -v; kpipe reports failures in its own one-line words.
spdlog::level::level_enum log_level_for(int syslog_level) {
    if (syslog_level <= 4) return spdlog::level::info;
    if (syslog_level <= 6) return spdlog::level::debug;
    return spdlog::level::trace;
}

// How long a TLS or SASL failure may stand before a wait for the brokers gives up: long enough
// for another bootstrap broker to answer, far shorter than --timeout.
constexpr std::chrono::milliseconds security_failure_grace{500};
// Metadata waits look for such a failure between requests, the first after this long; each
// request then waits twice as long as the one before, so that a slow link still gets its answer.
constexpr std::chrono::milliseconds first_metadata_slice{100};

void note_security_failure(ClientEvents& events, std::string_view reason) {
    if (auto explanation = explain_security_failure(reason)) {
        events.record_security_failure(std::move(*explanation));
    }
}

extern "C" void route_log(const rd_kafka_t* handle, int level, const char* facility,
                          const char* raw_message) {
    const std::string message = config::redact_secret_property_details(raw_message);
    log::write(log_level_for(level), fmt::format("librdkafka {}: {}", facility, message),
               {{"facility", std::string(facility)}, {"source", std::string("librdkafka")}});
    // Connection failures arrive only as log lines; keep the last one to explain a timeout.
    if (std::string_view(facility) == "FAIL") {
        auto* events = static_cast<ClientEvents*>(rd_kafka_opaque(handle));
        events->record_error(message);
        note_security_failure(*events, message);
    }
}

extern "C" void route_error(rd_kafka_t*, int error, const char* raw_reason, void* opaque) {
    const std::string reason = config::redact_secret_property_details(raw_reason);
    const char* name = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error));
    log::write(spdlog::level::info, fmt::format("librdkafka error: {} ({})", reason, name),
               {{"error", std::string(name)}, {"source", std::string("librdkafka")}});
    auto* events = static_cast<ClientEvents*>(opaque);
    events->record_error(reason);
    note_security_failure(*events, reason);
    if (error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) events->all_brokers_down = true;
    if (auto* observer = client_observer()) observer->error();
}

std::atomic<ClientObserver*> observer_instance{nullptr};
std::atomic<int> observer_statistics_interval_ms{0};

extern "C" int route_statistics(rd_kafka_t*, char* json, size_t length, void*) {
    if (auto* observer = client_observer()) observer->statistics(std::string_view(json, length));
    return 0;  // librdkafka frees the JSON
}

void observe(rd_kafka_conf_t* conf) {
    if (client_observer() == nullptr) return;
    rd_kafka_conf_set_stats_cb(conf, route_statistics);
    std::array<char, 32> current{};
    size_t size = current.size();
    if (rd_kafka_conf_get(conf, "statistics.interval.ms", current.data(), &size) ==
            RD_KAFKA_CONF_OK &&
        std::string_view(current.data()) == "0") {
        const auto interval = std::to_string(observer_statistics_interval_ms.load());
        rd_kafka_conf_set(conf, "statistics.interval.ms", interval.c_str(), nullptr, 0);
    }
}

}  // namespace

void set_client_observer(ClientObserver* observer, int statistics_interval_ms) {
    observer_statistics_interval_ms = statistics_interval_ms;
    observer_instance = observer;
}

ClientObserver* client_observer() {
    return observer_instance.load(std::memory_order_relaxed);
}

void ClientEvents::record_error(std::string_view message) {
    // Keep what a user can act on: drop librdkafka's thread tag and timing details.
    message = message.substr(0, message.find(" (after "));
    if (message.starts_with("[thrd:")) {
        message.remove_prefix(std::min(message.find("]: ") + 3, message.size()));
    }
    std::lock_guard lock(mutex_);
    last_error_ = message;
}

std::string ClientEvents::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

void ClientEvents::record_security_failure(std::string explanation) {
    std::lock_guard lock(mutex_);
    security_failure_ = std::move(explanation);
    security_failure_time_ = std::chrono::steady_clock::now();
}

void ClientEvents::clear_security_failure() {
    std::lock_guard lock(mutex_);
    security_failure_.reset();
}

std::optional<std::string> ClientEvents::security_failure() const {
    std::lock_guard lock(mutex_);
    return security_failure_;
}

std::optional<std::chrono::steady_clock::time_point> ClientEvents::security_failure_time() const {
    std::lock_guard lock(mutex_);
    if (!security_failure_) return std::nullopt;
    return security_failure_time_;
}

std::string error_text(rd_kafka_resp_err_t error) {
    return rd_kafka_err2str(error);
}

Client::Client(std::unique_ptr<ClientEvents> events, HandlePtr handle, std::string brokers)
    : events_(std::move(events)), handle_(std::move(handle)), brokers_(std::move(brokers)) {}

Expected<Client> Client::create(Role role, ConfPtr conf, std::string brokers) {
    auto events = std::make_unique<ClientEvents>();
    rd_kafka_conf_set_log_cb(conf.get(), route_log);
    rd_kafka_conf_set_error_cb(conf.get(), route_error);
    rd_kafka_conf_set_opaque(conf.get(), events.get());
    observe(conf.get());
    std::array<char, 512> reason{};
    rd_kafka_t* handle =
        rd_kafka_new(role == Role::producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf.get(),
                     reason.data(), reason.size());
    if (handle == nullptr) {
        return usage_error("cannot create the Kafka client: " +
                           config::redact_secret_property_details(reason.data()));
    }
    conf.release();  // rd_kafka_new took it
    return Client(std::move(events), HandlePtr{handle}, std::move(brokers));
}

std::string Client::unreachable_message(std::chrono::milliseconds timeout) const {
    if (auto failure = events_->security_failure()) return *failure;
    std::string message =
        fmt::format("cannot reach Kafka at {} within {:g}s", brokers_, timeout.count() / 1000.0);
    if (auto last = last_error(); !last.empty()) message += " (" + last + ")";
    return message + "; check -b/--brokers, KPIPE_BROKERS or the settings profile";
}

bool Client::lost_brokers(std::chrono::milliseconds timeout) {
    if (!events_->all_brokers_down.exchange(false)) return false;
    if (wait_until_reachable(timeout)) return false;
    events_->all_brokers_down = true;
    return true;
}

Status Client::wait_until_reachable(std::chrono::milliseconds timeout) const {
    auto reply = metadata(false, nullptr, timeout);
    if (!reply) return reply.error();
    return ok();
}

Expected<MetadataPtr> Client::metadata(bool all_topics, rd_kafka_topic_t* topic,
                                       std::chrono::milliseconds timeout) const {
    using std::chrono::steady_clock;
    const auto wait_started = steady_clock::now();
    const auto deadline = wait_started + timeout;
    auto next_slice = first_metadata_slice;
    // When this wait first saw a TLS or SASL failure (an older one may be stale).
    std::optional<steady_clock::time_point> failing_since;
    while (true) {
        const auto now = steady_clock::now();
        const auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        if (const auto failed_at = events_->security_failure_time();
            failed_at && *failed_at >= wait_started) {
            if (!failing_since) failing_since = *failed_at;
            if (now - *failing_since >= security_failure_grace) {
                if (auto failure = events_->security_failure()) return Error{*failure};
            }
        }
        if (remaining.count() <= 0) break;
        const auto slice = std::min(remaining, next_slice);
        next_slice *= 2;
        const rd_kafka_metadata_t* reply = nullptr;
        const auto started = steady_clock::now();
        auto error = rd_kafka_metadata(handle_.get(), all_topics ? 1 : 0, topic, &reply,
                                       static_cast<int>(slice.count()));
        MetadataPtr owned{reply};
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            events_->clear_security_failure();  // whatever failed, a broker answers now
            return owned;
        }
        // Some failures return at once (no broker known yet): do not spin.
        if (error != RD_KAFKA_RESP_ERR__TIMED_OUT) {
            std::this_thread::sleep_until(std::min(started + slice, deadline));
        }
    }
    return Error{unreachable_message(timeout)};
}

}  // namespace kpipe::kafka
