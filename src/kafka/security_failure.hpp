#pragma once
// librdkafka reports TLS and SASL failures as long, layered strings ("ssl://host:port/bootstrap:
// SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker
// certificate could not be verified, ..."). They are not transient: retrying until --timeout
// only delays the error. This turns them into kpipe's one line, the cause and the setting that
// fixes it, and tells them apart from ordinary connection failures.

#include <optional>
#include <string>
#include <string_view>

namespace kpipe::kafka {

// The one-line explanation of a TLS or SASL failure, or nullopt when `reason` (a librdkafka
// error or FAIL log message) is something else, e.g. a refused connection.
std::optional<std::string> explain_security_failure(std::string_view reason);

}  // namespace kpipe::kafka
