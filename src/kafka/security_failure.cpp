#include "kafka/security_failure.hpp"

#include <array>

namespace kpipe::kafka {
namespace {

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

template <std::size_t N>
bool contains_any(std::string_view text, const std::array<std::string_view, N>& parts) {
    for (std::string_view part : parts) {
        if (contains(text, part)) return true;
    }
    return false;
}

struct Located {
    std::string broker;       // "host:port", or empty when the reason names none
    std::string_view detail;  // the reason without the broker prefix
};

// "[thrd:...]: ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: ... (after 3ms in state
// SSL_HANDSHAKE)" -> 127.0.0.1:9093, "SSL handshake failed: ...".
Located locate(std::string_view reason) {
    if (reason.starts_with("[thrd:")) {
        const std::size_t end = reason.find("]: ");
        if (end != std::string_view::npos) reason.remove_prefix(end + 3);
    }
    reason = reason.substr(0, reason.find(" (after "));
    const std::size_t scheme = reason.find("://");
    const std::size_t colon = reason.find(": ");
    if (scheme == std::string_view::npos || colon == std::string_view::npos || scheme > colon) {
        return {"", reason};
    }
    std::string_view address = reason.substr(scheme + 3, colon - scheme - 3);
    address = address.substr(0, address.find('/'));
    return {std::string(address), reason.substr(colon + 2)};
}

// "SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker
// certificate could not be verified, verify that ..." -> "certificate verify failed".
// librdkafka's own hints are replaced by kpipe's, and OpenSSL's error codes mean nothing to a
// user.
std::string openssl_reason(std::string_view detail) {
    for (std::string_view prefix :
         {"SSL handshake failed: ", "Receive failed: ", "Send failed: ", "SSL transport error: "}) {
        if (detail.starts_with(prefix)) detail.remove_prefix(prefix.size());
    }
    if (detail.starts_with("error:")) {
        const std::size_t routines = detail.find("::");
        if (routines != std::string_view::npos) detail.remove_prefix(routines + 2);
    }
    for (std::string_view hint : {": broker certificate could not be verified", ": client SSL",
                                  ": connecting to a PLAINTEXT", ": SSL alert number"}) {
        if (const std::size_t at = detail.find(hint); at != std::string_view::npos) {
            detail = detail.substr(0, at);
        }
    }
    return std::string(detail);
}

std::string with(const Located& where, std::string_view what) {
    if (where.broker.empty()) return std::string(what);
    return std::string(what) + " with " + where.broker;
}

}  // namespace

std::optional<std::string> explain_security_failure(std::string_view reason) {
    const Located where = locate(reason);
    const std::string_view detail = where.detail;

    if (contains(detail, "certificate verify failed")) {
        return with(where, "TLS handshake") +
               " failed: certificate verify failed (an untrusted CA, or a certificate that does "
               "not name that host); set ssl.ca.location to the PEM file of the CA that signed "
               "the broker's certificate";
    }
    static constexpr std::array<std::string_view, 4> not_tls = {
        "connecting to a PLAINTEXT", "wrong version number", "packet length too long",
        "record layer failure"};
    if (contains_any(detail, not_tls)) {
        return with(where, "TLS handshake") +
               " failed: the listener does not speak TLS; use the broker's TLS port, or "
               "security.protocol=plaintext (sasl_plaintext with SASL) for a plaintext listener";
    }
    static constexpr std::array<std::string_view, 6> client_certificate = {
        "client SSL authentication might be required",
        "alert certificate required",
        "alert bad certificate",
        "alert unknown ca",
        "alert certificate unknown",
        "alert handshake failure"};
    if (contains_any(detail, client_certificate)) {
        return with(where, "TLS handshake") + " failed: " + openssl_reason(detail) +
               " (the broker wants a client certificate it trusts); set "
               "ssl.certificate.location and ssl.key.location (ssl.key.password for an "
               "encrypted key) to one signed by a CA the broker trusts";
    }
    if (detail.starts_with("SSL handshake failed") ||
        detail.starts_with("Failed to verify broker")) {
        return with(where, "TLS handshake") + " failed: " + openssl_reason(detail) +
               "; check security.protocol and the ssl.* settings of the profile";
    }

    if (contains(detail, "SASL Handshake not supported by broker")) {
        return with(where, "SASL authentication") +
               " failed: the listener does not accept SASL; use the broker's SASL port, or "
               "security.protocol=plaintext (ssl with TLS only)";
    }
    if (contains(detail, "Unsupported SASL mechanism")) {
        return with(where, "SASL authentication") + " failed: " + std::string(detail) +
               "; set sasl.mechanism to one the broker offers";
    }
    if (contains(detail, "SASL OAUTHBEARER token")) {
        return "cannot get an OAUTHBEARER token: " + std::string(detail) +
               "; check sasl.oauthbearer.config (or sasl.oauthbearer.method and its settings)";
    }
    static constexpr std::array<std::string_view, 4> sasl_rejected = {
        "SASL authentication error", "Authentication failed", "SaslAuthenticate",
        "SASL authentication failed"};
    if (contains_any(detail, sasl_rejected)) {
        return with(where, "SASL authentication") + " failed: " + std::string(detail) +
               "; check sasl.mechanism, sasl.username and sasl.password (or the file or "
               "variable it references)";
    }
    return std::nullopt;
}

}  // namespace kpipe::kafka
