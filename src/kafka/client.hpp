#pragma once
// A librdkafka client handle with kpipe's log routing and error tracking. Producer and
// Consumer build on it; it owns the rd_kafka_t.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "kafka/handles.hpp"

namespace kpipe::kafka {

// State shared with librdkafka's callbacks (they get it through the opaque pointer).
class ClientEvents {
  public:
    void record_error(std::string_view message);
    std::string last_error() const;

    // The latest TLS or SASL failure, explained in one line (see security_failure.hpp), with
    // when it happened; cleared once a broker answers again.
    void record_security_failure(std::string explanation);
    void clear_security_failure();
    std::optional<std::string> security_failure() const;
    std::optional<std::chrono::steady_clock::time_point> security_failure_time() const;

    // Set when librdkafka reports that every broker is unreachable; cleared by the reader.
    std::atomic<bool> all_brokers_down{false};

    // The wrapper that owns the handle (e.g. a Producer's delivery state), for its callbacks.
    void* owner = nullptr;

  private:
    mutable std::mutex mutex_;
    std::string last_error_;
    std::optional<std::string> security_failure_;
    std::chrono::steady_clock::time_point security_failure_time_{};
};

class Client {
  public:
    enum class Role { producer, consumer };

    // Takes ownership of `conf` (the handle does on success, the function does on failure).
    static Expected<Client> create(Role role, ConfPtr conf, std::string brokers);

    rd_kafka_t* handle() const { return handle_.get(); }
    const std::string& brokers() const { return brokers_; }
    std::string last_error() const { return events_->last_error(); }
    ClientEvents& events() { return *events_; }

    // Fails with a one-line message naming the brokers when none answers within `timeout`.
    Status wait_until_reachable(std::chrono::milliseconds timeout) const;

    // rd_kafka_metadata() for all topics or for `topic`, but a TLS or SASL failure ends the wait
    // early (with its explanation) instead of after `timeout`: retrying cannot fix a
    // certificate or a password. Other failures give unreachable_message().
    Expected<MetadataPtr> metadata(bool all_topics, rd_kafka_topic_t* topic,
                                   std::chrono::milliseconds timeout) const;

    // True once every broker has been unreachable and still is: for long-running loops
    // that would otherwise wait forever for a cluster that went away.
    bool lost_brokers(std::chrono::milliseconds timeout);

    // The error line for a broker that stopped answering mid-run (or never answered): a
    // TLS or SASL failure's explanation when there was one.
    std::string unreachable_message(std::chrono::milliseconds timeout) const;

  private:
    Client(std::unique_ptr<ClientEvents> events, HandlePtr handle, std::string brokers);

    std::unique_ptr<ClientEvents> events_;  // before handle_: destroyed after it
    HandlePtr handle_;
    std::string brokers_;
};

std::string error_text(rd_kafka_resp_err_t error);

// Watches every client of the process (for metrics): librdkafka's statistics JSON, each
// delivery report's latency, client errors and group rebalances. Called on librdkafka's
// callback threads.
class ClientObserver {
  public:
    virtual ~ClientObserver() = default;
    virtual void statistics(std::string_view json) = 0;
    virtual void delivered(std::int64_t latency_us, bool failed) = 0;
    virtual void error() = 0;
    // A group gave (`assigned`) or took back `partitions` partitions.
    virtual void rebalanced(bool assigned, int partitions) = 0;
};

// Applies to clients created afterwards; statistics.interval.ms defaults to
// `statistics_interval_ms` unless the settings give one. Not owned; must outlive the clients.
void set_client_observer(ClientObserver* observer, int statistics_interval_ms);
ClientObserver* client_observer();

}  // namespace kpipe::kafka
