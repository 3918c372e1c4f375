#pragma once
// The --metrics HTTP endpoint: /metrics (Prometheus text format), /healthz and /readyz,
// served from a thread of its own for the length of a run.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/expected.hpp"

namespace httplib {
class Server;
}

namespace kpipe::metrics {

struct ListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
};

// "PORT", ":PORT" (both 127.0.0.1), "HOST:PORT" or "[IPv6]:PORT".
Expected<ListenAddress> parse_listen_address(const std::string& text);

class MetricsEndpoint {
  public:
    // Binds at once (so a port in use is a startup error) and serves run_stats().
    static Expected<std::unique_ptr<MetricsEndpoint>> start(const ListenAddress& address);
    ~MetricsEndpoint();
    MetricsEndpoint(const MetricsEndpoint&) = delete;
    MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  private:
    MetricsEndpoint();
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
};

}  // namespace kpipe::metrics
