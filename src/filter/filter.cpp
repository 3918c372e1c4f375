#include "filter/filter.hpp"

#include <simdjson.h>

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
};

Filter::Filter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;
Filter::~Filter() = default;

Expected<Filter> Filter::compile(std::string_view source) {
    auto root = parse_filter(source);
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
