#pragma once
// kpipe's filter language: jq (1.7's semantics), with `jq -c` as the oracle. For every filter, its
// output on a record equals what `jq -c FILTER` prints for that record, except for these
// documented differences (also in tests/data/filter/README.md):
//
// - Number text is preserved. A number read from the input that passes through unchanged (not
//   computed: .a, {a}, [.a], select, //, if, ltrimstr on non-strings, null + x, ...) prints its
//   original text, and so does tostring of it: 1.0 stays 1.0, 1e2 stays 1e2, 100000000000000000001
//   keeps every digit, 1e1000 stays 1e1000. jq reformats them (1, 100,
//   100000000000000000000, 1.7976931348623157e+308). Computed numbers print exactly as jq does.
//   Error messages quoting such a number also show its original text.
// - Input must be exactly one valid JSON document (RFC 8259): invalid UTF-8, lone surrogate
//   escapes (\ud800), NaN/Infinity literals, leading zeros and several documents in one record are
//   invalid_json failures. jq replaces bad UTF-8 and lone low surrogates with U+FFFD, accepts nan
//   and 01, and processes each document of a stream. Nesting deeper than 256 is refused by both.
//   A filter that is not UTF-8 does not compile (jq substitutes U+FFFD in its string literals).
// - A record whose filter raises an error yields the Failure and no outputs; jq prints the
//   outputs produced before the error. Failure messages are one line (error("a\nb") gives a\nb
//   with a backslash-n).
// - Each record is a program run of its own: input fails ("No more inputs"), inputs is empty,
//   input_line_number is 0, halt ends the record's outputs, halt_error fails the record.
// - Limits instead of crashes: evaluation deeper than 2000 calls, more than 50M steps or 512 MiB
//   of output for one record raise a filter error; where jq 1.6 crashes (todate of a year beyond
//   the C library's range, INT64_MIN % -1) kpipe raises a filter error or returns 0.
// - Modules (import, include, a::b) do not compile.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "filter/arguments.hpp"

namespace kpipe::filter {

enum class FailureKind { invalid_json, filter_error };

// message: one line, like jq's ("Cannot index number with \"a\"") or simdjson's for bad input.
struct Failure {
    FailureKind kind;
    std::string message;
};

class Evaluator;
class FastPath;

// Whether the bytes after a document may be read: `readable` promises at least
// Filter::kReadablePadding of them (of any value), as io::LineReader's lines have, so the
// document is parsed where it lies instead of being copied into a padded buffer first.
enum class Padding { none, readable };

// Outputs of one record, reused across records (no per-record allocation in steady state).
class FilterOutputs {
  public:
    void clear() {
        bytes_.clear();
        ends_.clear();
    }
    std::size_t size() const { return ends_.size(); }
    // Compact JSON text, exactly as `jq -c` prints it (no newline).
    std::string_view operator[](std::size_t i) const {
        const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(bytes_).substr(begin, ends_[i] - begin);
    }

  private:
    friend class Evaluator;
    friend class FastPath;

    // The evaluator appends an output's bytes to bytes_, then calls end_output().
    void end_output() { ends_.push_back(bytes_.size()); }

    std::string bytes_;
    std::vector<std::size_t> ends_;
};

// A compiled filter with its reusable buffers. Not thread-safe: use one per thread (compiling is
// cheap).
class Filter {
  public:
    // Parses the filter. Errors are usage errors with the line and column:
    // "filter:1:14: expected '}' ...", "filter:1:1: $x is not defined", and for modules
    // "filter:1:1: 'import' (...) is not supported by kpipe's filter language".
    // `variables` are $NAME in the filter (and $ARGS.named); invalid JSON in one is a usage
    // error naming its option.
    static Expected<Filter> compile(std::string_view source,
                                    const std::vector<FilterVariable>& variables = {});

    Filter(Filter&&) noexcept;
    Filter& operator=(Filter&&) noexcept;
    ~Filter();

    static constexpr std::size_t kReadablePadding = 64;  // simdjson::SIMDJSON_PADDING

    // Runs the filter on one JSON document (any bytes; copied into an internal padded buffer
    // unless `padding` says it may be parsed in place).
    // Fills `outputs` (cleared first); zero outputs means the record is filtered out. Returns a
    // Failure, with no outputs, for input that is not exactly one valid JSON document or for a
    // runtime error of the filter.
    std::optional<Failure> apply(std::string_view document, FilterOutputs& outputs,
                                 Padding padding = Padding::none);

    // apply() for one line of newline-delimited input read in blocks (io::LineReader): `block`
    // starts with `line` and holds the complete lines after it, all padded as for
    // Padding::readable; `block_id` changes whenever a new block's bytes arrive. The fast path
    // then parses a whole block at once (simdjson iterate_many) and runs each line whose
    // document spans exactly that line; any other line (several values, a value across lines,
    // a blank line, an error) is parsed on its own, as apply() does, with the same result.
    std::optional<Failure> apply_line(std::string_view line, std::string_view block,
                                      std::uint64_t block_id, FilterOutputs& outputs);

    // Whether the filter has a shape the simdjson On-Demand fast path handles (per record it may
    // still defer to the general path, e.g. for strings with escapes jq would print differently).
    bool uses_fast_path() const;
    const std::string& source() const;

  private:
    struct Impl;
    explicit Filter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace kpipe::filter
