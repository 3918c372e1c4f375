#include "io/line_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/signals.hpp"

namespace kpipe::io {
namespace {
constexpr std::size_t kBlockSize = 1 << 20;
}

LineReader::LineReader(int fd, std::string name)
    : fd_(fd), name_(std::move(name)), buffer_(kBlockSize + kReadablePadding) {}

bool LineReader::fill() {
    // Move the partial line to the front, growing the buffer when a line outgrows it.
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    complete_end_ = 0;
    ++block_id_;
    if (buffer_.size() - kReadablePadding - end_ < kBlockSize / 2) {
        buffer_.resize(buffer_.size() * 2);
    }
    if (on_idle_) {
        pollfd ready{fd_, POLLIN, 0};
        if (::poll(&ready, 1, 0) == 0) on_idle_();
    }
    while (true) {
        const auto capacity = buffer_.size() - kReadablePadding - end_;
        const auto count = ::read(fd_, buffer_.data() + end_, capacity);
        if (count > 0) {
            end_ += static_cast<std::size_t>(count);
            const void* last = ::memrchr(buffer_.data(), '\n', end_);
            complete_end_ =
                last == nullptr
                    ? 0
                    : static_cast<std::size_t>(static_cast<const char*>(last) - buffer_.data());
            return true;
        }
        if (count == 0) {
            eof_ = true;
            return false;
        }
        if (errno == EINTR) {
            // A stop signal ends the input here; a line cut short by it is not a record.
            if (!stop_requested()) continue;
            stopped_ = true;
            eof_ = true;
            return false;
        }
        error_ = "cannot read " + name_ + ": " + std::strerror(errno);
        eof_ = true;
        return false;
    }
}

bool LineReader::next(std::string_view& line) {
    std::size_t scanned = begin_;
    while (true) {
        const void* newline = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
        if (newline != nullptr) {
            const auto position =
                static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.data());
            line = std::string_view(buffer_.data() + begin_, position - begin_);
            line_start_ = line.data();
            line_end_ = line.data() + line.size();
            begin_ = position + 1;
            ++line_number_;
            return true;
        }
        const auto unread = end_ - begin_;
        if (eof_ || !fill()) {
            if (end_ == begin_ || stopped_) return false;
            line = std::string_view(buffer_.data() + begin_, end_ - begin_);
            line_start_ = line.data();
            line_end_ = line.data() + line.size();
            begin_ = end_;
            ++line_number_;
            return true;
        }
        scanned = begin_ + unread;  // fill() moved the partial line to the front
    }
}

}  // namespace kpipe::io
