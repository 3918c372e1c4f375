#include "io/line_reader.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

// Writes `input` into a pipe in 7,777-byte chunks (records arrive cut, as on stdin) from a
// thread; `read_end` receives the pipe's read end.
std::thread write_through_pipe(const std::string& input, int& read_end) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read_end = fds[0];
    return std::thread([&input, write_end = fds[1]] {
        std::size_t written = 0;
        while (written < input.size()) {
            auto count = ::write(write_end, input.data() + written,
                                 std::min<std::size_t>(input.size() - written, 7777));
            REQUIRE(count > 0);
            written += static_cast<std::size_t>(count);
        }
        ::close(write_end);
    });
}

// Feeds `input` through a pipe, as stdin would be, and collects the lines.
std::vector<std::string> read_lines(const std::string& input) {
    int read_end = -1;
    std::thread writer = write_through_pipe(input, read_end);
    kpipe::io::LineReader reader(read_end, "test input");
    std::vector<std::string> lines;
    std::string_view line;
    while (reader.next(line)) {
        lines.emplace_back(line);
        CHECK(reader.line_number() == lines.size());
    }
    writer.join();
    ::close(read_end);
    CHECK(reader.error().empty());
    return lines;
}

}  // namespace

TEST_CASE("LineReader splits lines and keeps a last line without newline", "[io]") {
    CHECK(read_lines("a\nbb\n\nccc") == std::vector<std::string>{"a", "bb", "", "ccc"});
    CHECK(read_lines("a\n") == std::vector<std::string>{"a"});
    CHECK(read_lines("").empty());
    CHECK(read_lines("\r\n") == std::vector<std::string>{"\r"});
}

TEST_CASE("LineReader handles lines longer than its block and many small lines", "[io]") {
    const std::string huge(3 * 1024 * 1024 + 17, 'x');
    std::string input = "first\n" + huge + "\nlast\n";
    for (int i = 0; i < 100000; ++i) input += std::to_string(i) + "\n";
    const auto lines = read_lines(input);
    REQUIRE(lines.size() == 3 + 100000);
    CHECK(lines[0] == "first");
    CHECK(lines[1] == huge);
    CHECK(lines[2] == "last");
    CHECK(lines.back() == "99999");
}

TEST_CASE("LineReader blocks start at the line and end at a line's end", "[io]") {
    std::string input;
    for (int i = 0; i < 200000; ++i) input += "line " + std::to_string(i) + (i % 7 ? "\n" : "\r\n");
    input += "last without newline";
    int read_end = -1;
    std::thread writer = write_through_pipe(input, read_end);
    kpipe::io::LineReader reader(read_end, "test input");
    std::string_view line;
    std::size_t offset = 0;  // of the line in the input
    std::uint64_t blocks = 0;
    std::uint64_t last_id = 0;
    bool ok = true;
    while (reader.next(line)) {
        const auto block = reader.block();
        // The block is the input's bytes from the line on, up to the end of a line.
        ok = ok && block.data() == line.data() && block.size() >= line.size() &&
             input.compare(offset, block.size(), block) == 0 &&
             (offset + block.size() == input.size() || input[offset + block.size()] == '\n');
        if (reader.block_id() != last_id) {
            ++blocks;
            last_id = reader.block_id();
        }
        offset += line.size() + 1;
    }
    writer.join();
    ::close(read_end);
    CHECK(ok);
    CHECK(line == "last without newline");
    CHECK(blocks > 1);
}
