#pragma once
// What the fuzz targets share: a failed property prints what differed and aborts, so that
// libFuzzer saves the input as a crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace kpipe::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

[[noreturn]] inline void fail(std::string_view what, std::string_view expected = {},
                              std::string_view actual = {}) {
    std::fprintf(stderr, "fuzz property failed: %.*s\n  expected: %.*s\n  actual:   %.*s\n",
                 static_cast<int>(what.size()), what.data(), static_cast<int>(expected.size()),
                 expected.data(), static_cast<int>(actual.size()), actual.data());
    std::abort();
}

inline void check(bool condition, std::string_view what) {
    if (!condition) fail(what);
}

inline void check_equal(std::string_view expected, std::string_view actual, std::string_view what) {
    if (expected != actual) fail(what, expected, actual);
}

}  // namespace kpipe::fuzz
