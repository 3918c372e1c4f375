#include "filter/filter.hpp"

#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "filter/builtins.hpp"
#include "filter/evaluator.hpp"
#include "filter/fast_path.hpp"
#include "filter/json_reader.hpp"
#include "filter/parser.hpp"

namespace kpipe::filter {

namespace {

// Failure messages are single lines (they travel in DLQ headers and log lines); error("a\nb")
// keeps its text with the line breaks written as \n and \r.
std::string one_line(std::string message) {
    std::string out;
    out.reserve(message.size());
    for (char c : message) {
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

struct Filter::Impl {
    std::string source;
    NodePtr root;
    std::optional<FastPath> fast_path;
    Evaluator evaluator;
    simdjson::ondemand::parser parser;
    std::vector<char> buffer;  // the record, followed by simdjson's padding

    // apply_line(): one iterate_many stream over a block of lines, on a parser of its own.
    simdjson::ondemand::parser stream_parser;
    simdjson::ondemand::document_stream stream;
    simdjson::ondemand::document_stream::iterator next_document;
    bool streaming = false;  // documents so far matched lines; next_document is next_line's
    std::uint64_t block_id = 0;
    const char* block_begin = nullptr;
    const char* block_end = nullptr;
    const char* next_line = nullptr;
    // The first '\\' and DEL in the block at or after the current line (block_end: none), found
    // once per block rather than once per line.
    const char* backslash = nullptr;
    const char* del = nullptr;

    void start_stream(std::string_view block, std::uint64_t id);
    bool run_streamed(std::string_view line, FilterOutputs& outputs);
};

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// The first `c` in [p, end), or end.
const char* find(const char* p, const char* end, char c) {
    const void* found = std::memchr(p, c, static_cast<std::size_t>(end - p));
    return found == nullptr ? end : static_cast<const char*>(found);
}

const char* skip_blanks(const char* p, const char* end) {
    while (p < end && is_blank(*p)) ++p;
    return p;
}

}  // namespace

void Filter::Impl::start_stream(std::string_view block, std::uint64_t id) {
    block_id = id;
    block_begin = block.data();
    block_end = block.data() + block.size();
    next_line = block.data();
    backslash = find(block_begin, block_end, '\\');
    del = find(block_begin, block_end, '\x7f');
    streaming = false;
    // One batch for the whole block (a power of two, so the parser rarely reallocates).
    const std::size_t batch = std::bit_ceil(std::max<std::size_t>(block.size(), 1 << 16));
    if (stream_parser.iterate_many(block.data(), block.size(), batch).get(stream)) return;
    next_document = stream.begin();
    streaming = true;
}

// The fast path's result for `line` (next_line) from the stream, or false when the line needs
// parsing on its own. Once a document does not match its line, the rest of the block is parsed
// line by line.
bool Filter::Impl::run_streamed(std::string_view line, FilterOutputs& outputs) {
    const char* line_end = line.data() + line.size();
    next_line = line_end + 1;
    if (!(next_document != stream.end())) {
        streaming = false;
        return false;
    }
    // The document must start at the line's first byte that is not whitespace...
    const char* first = skip_blanks(line.data(), line_end);
    simdjson::ondemand::document_reference document;
    if (first == line_end || block_begin + next_document.current_index() != first ||
        (*next_document).get(document)) {
        streaming = false;
        return false;
    }
    if (backslash < line.data()) backslash = find(line.data(), block_end, '\\');
    if (del < line.data()) del = find(line.data(), block_end, '\x7f');
    const char* next = nullptr;
    bool done = false;
    if (fast_path->walk_streamed(document, line, backslash < line_end, del < line_end, next)) {
        // ... and end on it: the next one starts the next line (after blanks), or this line is
        // the last.
        const bool ends_here = next == nullptr ? line_end == block_end
                                               : line_end < block_end && next > line_end &&
                                                     skip_blanks(line_end + 1, block_end) == next;
        if (!ends_here) {
            streaming = false;
            return false;
        }
        done = fast_path->finish(outputs) == FastPath::Outcome::done;
    }
    // After an error the document's iterator is abandoned and cannot skip to the next one.
    if (!static_cast<simdjson::ondemand::document&>(document).is_alive()) {
        streaming = false;
        return done;
    }
    ++next_document;
    return done;
}

std::optional<Failure> Filter::apply_line(std::string_view line, std::string_view block,
                                          std::uint64_t block_id, FilterOutputs& outputs) {
    Impl& impl = *impl_;
    if (impl.fast_path) {
        if (block_id != impl.block_id || impl.block_begin == nullptr) {
            impl.start_stream(block, block_id);
        } else if (line.data() != impl.next_line) {
            impl.streaming = false;  // a line was skipped (e.g. too large)
        }
        outputs.clear();
        if (impl.streaming && impl.run_streamed(line, outputs)) return std::nullopt;
    }
    return apply(line, outputs, Padding::readable);
}

Filter::Filter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;
Filter::~Filter() = default;

Expected<Filter> Filter::compile(std::string_view source,
                                 const std::vector<FilterVariable>& variables) {
    GlobalVariables globals;
    Object named;
    simdjson::ondemand::parser parser;
    for (const FilterVariable& variable : variables) {
        std::string padded = variable.json;
        padded.append(simdjson::SIMDJSON_PADDING, '\0');
        Value value;
        if (auto error = read_document(
                parser,
                simdjson::padded_string_view(padded.data(), variable.json.size(), padded.size()),
                value)) {
            return usage_error(variable.origin + ": invalid JSON: " + one_line(std::move(*error)));
        }
        named.set(variable.name, value);
        globals.emplace_back(variable.name, std::move(value));
    }
    Object args;
    args.set("positional", Value::array({}));
    args.set("named", Value::object(std::move(named)));
    globals.emplace_back("ARGS", Value::object(std::move(args)));
    auto root = parse_filter(source, globals);
    if (!root) return root.error();
    auto impl = std::make_unique<Impl>();
    impl->source = std::string(source);
    impl->root = std::move(*root);
    impl->fast_path = FastPath::plan(*impl->root);
    return Filter(std::move(impl));
}

static_assert(Filter::kReadablePadding >= simdjson::SIMDJSON_PADDING);

std::optional<Failure> Filter::apply(std::string_view document, FilterOutputs& outputs,
                                     Padding padding) {
    outputs.clear();
    Impl& impl = *impl_;
    if (impl.fast_path && padding == Padding::readable &&
        impl.fast_path->run(impl.parser,
                            simdjson::padded_string_view(document.data(), document.size(),
                                                         document.size() + kReadablePadding),
                            outputs) == FastPath::Outcome::done) {
        return std::nullopt;
    }
    outputs.clear();

    // The general path (and the fast path for unpadded input) parses a copy with zeroed padding.
    const std::size_t length = document.size();
    if (impl.buffer.size() < length + simdjson::SIMDJSON_PADDING) {
        impl.buffer.resize(length + simdjson::SIMDJSON_PADDING);
    }
    if (length > 0) std::memcpy(impl.buffer.data(), document.data(), length);
    std::memset(impl.buffer.data() + length, 0, simdjson::SIMDJSON_PADDING);
    const simdjson::padded_string_view json(impl.buffer.data(), length, impl.buffer.size());

    if (impl.fast_path && padding == Padding::none &&
        impl.fast_path->run(impl.parser, json, outputs) == FastPath::Outcome::done) {
        return std::nullopt;
    }
    outputs.clear();

    Value input;
    if (auto error = read_document(impl.parser, json, input)) {
        return Failure{FailureKind::invalid_json, "invalid JSON: " + one_line(std::move(*error))};
    }
    try {
        impl.evaluator.run(*impl.root, input, outputs);
    } catch (const FilterError& error) {
        outputs.clear();
        return Failure{FailureKind::filter_error, one_line(error_message(error.payload))};
    }
    return std::nullopt;
}

bool Filter::uses_fast_path() const {
    return impl_->fast_path.has_value();
}

const std::string& Filter::source() const {
    return impl_->source;
}

}  // namespace kpipe::filter
