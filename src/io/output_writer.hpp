#pragma once
// Buffered output to a file descriptor that notices a closed pipe (`kpipe consume | head`)
// instead of dying of SIGPIPE, so the caller can stop quietly without committing unwritten work.

#include <string>
#include <string_view>

namespace kpipe::io {

class OutputWriter {
  public:
    explicit OutputWriter(int fd) : fd_(fd) { buffer_.reserve(kFlushThreshold + 4096); }
    ~OutputWriter() { flush(); }

    // Appends bytes; writes out when the buffer is large. False once the output is unusable.
    bool write(std::string_view bytes) {
        buffer_.append(bytes);
        return buffer_.size() < kFlushThreshold ? ok_ : flush();
    }
    std::string& buffer() { return buffer_; }  // for encoders that append in place

    // Writes everything buffered; false if the output is closed or failing.
    bool flush();

    bool closed_pipe() const { return closed_pipe_; }
    const std::string& error() const { return error_; }

  private:
    static constexpr std::size_t kFlushThreshold = 1 << 20;

    int fd_;
    std::string buffer_;
    bool ok_ = true;
    bool closed_pipe_ = false;
    std::string error_;
};

}  // namespace kpipe::io
