#include "io/line_reader.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

// Feeds `input` through a pipe, as stdin would be, and collects the lines.
std::vector<std::string> read_lines(const std::string& input) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::thread writer([&] {
        std::size_t written = 0;
        while (written < input.size()) {
            auto count = ::write(fds[1], input.data() + written,
                                 std::min<std::size_t>(input.size() - written, 7777));
            REQUIRE(count > 0);
            written += static_cast<std::size_t>(count);
        }
        ::close(fds[1]);
    });
    kpipe::io::LineReader reader(fds[0], "test input");
    std::vector<std::string> lines;
    std::string_view line;
    while (reader.next(line)) {
        lines.emplace_back(line);
        CHECK(reader.line_number() == lines.size());
    }
    writer.join();
    ::close(fds[0]);
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
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::thread writer([&] {
        std::size_t written = 0;
        while (written < input.size()) {
            auto count = ::write(fds[1], input.data() + written,
                                 std::min<std::size_t>(input.size() - written, 7777));
            REQUIRE(count > 0);
            written += static_cast<std::size_t>(count);
        }
        ::close(fds[1]);
    });
    kpipe::io::LineReader reader(fds[0], "test input");
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
    ::close(fds[0]);
    CHECK(ok);
    CHECK(line == "last without newline");
    CHECK(blocks > 1);
}
