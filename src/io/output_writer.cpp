#include "io/output_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kpipe::io {

bool OutputWriter::flush() {
    std::size_t written = 0;
    while (ok_ && written < buffer_.size()) {
        const auto count = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
        if (count >= 0) {
            written += static_cast<std::size_t>(count);
            continue;
        }
        if (errno == EINTR) continue;
        ok_ = false;
        closed_pipe_ = errno == EPIPE;
        error_ = std::string("cannot write output: ") + std::strerror(errno);
    }
    buffer_.clear();
    return ok_;
}

}  // namespace kpipe::io
