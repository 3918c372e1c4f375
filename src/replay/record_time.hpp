#pragma once
// The TIME of --since/--until: a record timestamp in epoch milliseconds.

#include <cstdint>
#include <string_view>

#include "common/expected.hpp"

namespace kpipe::replay {

// Epoch milliseconds, or ISO-8601 like 2026-11-27T10:00:00Z, 2026-11-27T10:00:00.250Z or
// 2026-11-27T12:00:00+02:00; a usage error naming `option` otherwise.
Expected<std::int64_t> parse_time(std::string_view text, std::string_view option);

}  // namespace kpipe::replay
