#pragma once
// Where `kpipe consume -o` starts, in kcat's syntax.

#include <cstdint>
#include <string_view>

#include "common/expected.hpp"

namespace kpipe::consume {

struct OffsetSpec {
    enum class Kind { beginning, end, stored, absolute, from_end, timestamp };
    Kind kind = Kind::beginning;
    std::int64_t value = 0;  // absolute offset, count from the end, or timestamp in ms
};

// beginning | end | stored | N | -N | s@MS
Expected<OffsetSpec> parse_offset_spec(std::string_view text);

}  // namespace kpipe::consume
