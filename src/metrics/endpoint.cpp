#include "metrics/endpoint.hpp"

#include <httplib.h>

#include <charconv>

#include "metrics/run_stats.hpp"

namespace kpipe::metrics {

Expected<ListenAddress> parse_listen_address(const std::string& text) {
    ListenAddress address;
    std::string port = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        port = text.substr(colon + 1);
        std::string host = text.substr(0, colon);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
            host = host.substr(1, host.size() - 2);
        }
        if (!host.empty()) address.host = host;
    }
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc{} || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
        return usage_error("--metrics '" + text +
                           "': expected HOST:PORT, :PORT or PORT (e.g. --metrics 9464)");
    }
    address.port = static_cast<std::uint16_t>(value);
    return address;
}

MetricsEndpoint::MetricsEndpoint() : server_(std::make_unique<httplib::Server>()) {}

Expected<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const ListenAddress& address) {
    std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
    auto& server = *endpoint->server_;
    server.Get("/metrics", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(run_stats().render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
        const bool healthy = run_stats().healthy();
        response.status = healthy ? 200 : 503;
        response.set_content(healthy ? "ok\n" : "loop stalled\n", "text/plain");
    });
    server.Get("/readyz", [](const httplib::Request&, httplib::Response& response) {
        const bool ready = run_stats().ready();
        response.status = ready ? 200 : 503;
        response.set_content(ready ? "ready\n" : "not ready\n", "text/plain");
    });
    if (!server.bind_to_port(address.host.c_str(), address.port)) {
        return Error{"--metrics: cannot listen on " + address.host + ":" +
                     std::to_string(address.port) +
                     " (address in use or not local?); choose another HOST:PORT"};
    }
    endpoint->thread_ = std::thread([&server] { server.listen_after_bind(); });
    return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace kpipe::metrics
