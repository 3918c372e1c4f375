#include "consume/offset_spec.hpp"

#include <charconv>
#include <string>

namespace kpipe::consume {
namespace {

bool parse_non_negative(std::string_view text, std::int64_t& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size() && value >= 0;
}

}  // namespace

Expected<OffsetSpec> parse_offset_spec(std::string_view text) {
    using Kind = OffsetSpec::Kind;
    if (text == "beginning") return OffsetSpec{Kind::beginning};
    if (text == "end") return OffsetSpec{Kind::end};
    if (text == "stored") return OffsetSpec{Kind::stored};
    OffsetSpec spec;
    if (text.starts_with("s@") && parse_non_negative(text.substr(2), spec.value)) {
        spec.kind = Kind::timestamp;
        return spec;
    }
    if (text.starts_with("-") && parse_non_negative(text.substr(1), spec.value) && spec.value > 0) {
        spec.kind = Kind::from_end;
        return spec;
    }
    if (!text.starts_with("-") && parse_non_negative(text, spec.value)) {
        spec.kind = Kind::absolute;
        return spec;
    }
    return usage_error("--offset '" + std::string(text) +
                       "' is not beginning, end, stored, N, -N or s@TIMESTAMP_MS");
}

}  // namespace kpipe::consume
