#pragma once
// Reads newline-delimited input in large blocks and hands out lines as views into its buffer.
// Every line is followed by at least `kReadablePadding` readable bytes, so simdjson can parse a
// line in place without copying it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace kpipe::io {

class LineReader {
  public:
    static constexpr std::size_t kReadablePadding = 64;  // >= SIMDJSON_PADDING

    // Reads from `fd` (not owned); `name` is used in error messages.
    LineReader(int fd, std::string name);

    // The next line without its '\n' (a final line without one counts too). False at the end
    // of input; error() then says whether it ended because of a read error. A stop signal
    // (SIGINT/SIGTERM, see common/signals.hpp) during a blocking read ends the input, without
    // the partial line it interrupted.
    bool next(std::string_view& line);

    // Called before a read that would wait for more input (e.g. to flush output, so that a
    // slow producer upstream sees results line by line without costing a flush per line).
    void on_idle(std::function<void()> callback) { on_idle_ = std::move(callback); }

    // The line last returned followed by the complete lines already buffered after it (each but
    // the last with its '\n'), e.g. for parsing them in one go. Valid, and followed by
    // kReadablePadding readable bytes, until next() has returned the last of them.
    std::string_view block() const {
        const char* last = buffer_.data() + complete_end_;
        const char* end = last > line_end_ ? last : line_end_;
        return std::string_view(line_start_, static_cast<std::size_t>(end - line_start_));
    }
    // Changes whenever the buffered bytes move or new ones arrive (block() then starts afresh).
    std::uint64_t block_id() const { return block_id_; }

    // 1-based number of the line last returned.
    std::uint64_t line_number() const { return line_number_; }
    const std::string& error() const { return error_; }

  private:
    bool fill();

    int fd_;
    std::string name_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0;  // first unread byte
    std::size_t end_ = 0;    // one past the last byte read
    bool eof_ = false;
    bool stopped_ = false;
    std::size_t complete_end_ = 0;      // the last buffered '\n' (0 when none)
    const char* line_start_ = nullptr;  // the line last returned
    const char* line_end_ = nullptr;
    std::uint64_t block_id_ = 0;
    std::uint64_t line_number_ = 0;
    std::string error_;
    std::function<void()> on_idle_;
};

}  // namespace kpipe::io
