// The filter compiler on arbitrary text: tokenize, parse, plan. It must return a value or a
// one-line "filter:L:C: ..." usage error, never crash, hang or overflow the stack.
#include <cstddef>
#include <cstdint>

#include "filter/filter.hpp"
#include "filter/lexer.hpp"
#include "fuzz_check.hpp"

using kpipe::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view source = kpipe::fuzz::as_text(data, size);

    auto tokens = kpipe::filter::tokenize(source);
    if (!tokens) {
        check(tokens.error().message.rfind("filter:", 0) == 0, "lexer error starts with filter:");
    } else {
        check(!tokens->empty() && tokens->back().kind == kpipe::filter::TokenKind::end,
              "token list ends with end");
    }

    auto filter = kpipe::filter::Filter::compile(source);
    if (!filter) {
        const auto& error = filter.error();
        check(error.kind == kpipe::ErrorKind::usage, "compile errors are usage errors");
        check(error.message.rfind("filter:", 0) == 0, "compile error starts with filter:");
        check(error.message.find('\n') == std::string::npos, "compile error is one line");
        // Text the lexer refuses, the compiler refuses too.
    } else {
        check(tokens.has_value(), "a filter that compiles also tokenizes");
        check(filter->source() == source, "the filter keeps its source");
    }
    return 0;
}
