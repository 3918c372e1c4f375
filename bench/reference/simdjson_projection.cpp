// The practical limit for `kpipe transform --in - --out - FILTER` on the benchmark's data: a
// minimal program that does only what the benchmark needs, as fast as simdjson allows.
//   simdjson_projection            # {user_id, locale, timestamp}
//   simdjson_projection --ios      # select(.device_type == "iOS") | {user_id, locale, timestamp}
// It reads stdin in large blocks, parses each block's complete lines with On-Demand
// iterate_many, copies the three fields' raw JSON bytes (raw_json_token) and writes one big
// buffer per block. Its output bytes equal kpipe's (and jq -c's) on the seed login events, which
// have no whitespace inside records; it validates nothing beyond what On-Demand checks on the
// way and has no dead-letter path. Not part of kpipe: built only with -DKPIPE_BENCHMARKS=ON.

#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace {

constexpr std::size_t kBlockSize = 1 << 20;

bool write_all(const std::string& bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        const auto count = ::write(STDOUT_FILENO, bytes.data() + written, bytes.size() - written);
        if (count < 0) return false;
        written += static_cast<std::size_t>(count);
    }
    return true;
}

// Appends the projection of every record in json[0, length) to `out`.
bool project(simdjson::ondemand::parser& parser, const char* json, std::size_t length,
             bool ios_only, std::string& out) {
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(json, length, length).get(stream)) return false;  // one batch
    for (auto result : stream) {
        simdjson::ondemand::document_reference document;
        simdjson::ondemand::object object;
        if (std::move(result).get(document) || document.get_object().get(object)) return false;
        std::string_view user_id = "null", locale = "null", timestamp = "null", device = {};
        for (auto field_result : object) {
            simdjson::ondemand::field field;
            if (std::move(field_result).get(field)) return false;
            // The key's raw bytes, up to and including its closing quote (the input is padded).
            const char* key = field.key().raw();
            const auto is = [key](std::string_view name) {
                return std::memcmp(key, name.data(), name.size()) == 0;
            };
            std::string_view* target = nullptr;
            if (is("user_id\"")) {
                target = &user_id;
            } else if (is("locale\"")) {
                target = &locale;
            } else if (is("timestamp\"")) {
                target = &timestamp;
            } else if (ios_only && is("device_type\"")) {
                target = &device;
            } else {
                continue;  // On-Demand skips the value
            }
            *target = field.value().raw_json_token();
        }
        if (ios_only && device != "\"iOS\"") continue;
        out += "{\"user_id\":";
        out += user_id;
        out += ",\"locale\":";
        out += locale;
        out += ",\"timestamp\":";
        out += timestamp;
        out += "}\n";
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const bool ios_only = argc > 1 && std::strcmp(argv[1], "--ios") == 0;
    simdjson::ondemand::parser parser;
    std::string block(2 * kBlockSize + simdjson::SIMDJSON_PADDING, '\0');
    std::string out;
    out.reserve(2 * kBlockSize);
    std::size_t filled = 0;  // bytes in block: the unfinished line left over, then new input
    bool eof = false;
    while (!eof) {
        if (block.size() < filled + kBlockSize + simdjson::SIMDJSON_PADDING) {
            block.resize(filled + kBlockSize + simdjson::SIMDJSON_PADDING);  // a very long line
        }
        const auto count = ::read(STDIN_FILENO, block.data() + filled, kBlockSize);
        if (count < 0) {
            std::perror("read");
            return 1;
        }
        eof = count == 0;
        filled += static_cast<std::size_t>(count);
        const char* last_newline = static_cast<const char*>(memrchr(block.data(), '\n', filled));
        const std::size_t complete =
            eof ? filled : (last_newline == nullptr ? 0 : last_newline - block.data() + 1);
        if (complete == 0) continue;
        out.clear();
        if (!project(parser, block.data(), complete, ios_only, out)) {
            std::fprintf(stderr, "invalid input\n");
            return 1;
        }
        if (!write_all(out)) {
            std::perror("write");
            return 1;
        }
        std::memmove(block.data(), block.data() + complete, filled - complete);
        filled -= complete;
    }
    return 0;
}
