#pragma once
// A cheap first look at whether a produce input line is one valid JSON document, for the
// common shape of NDJSON records: ASCII text, simple escapes, plain numbers. It answers `valid`
// only for documents simdjson also accepts (a conservative subset of RFC 8259) and `unsure` for
// everything else, invalid or merely unusual (non-ASCII bytes, \u escapes, exponents, long
// numbers, deep nesting): the caller then asks simdjson for the verdict and the error message.
// It costs a fraction of a simdjson DOM parse of a short line, which builds a tape nobody reads
// when kpipe only needs to know that the value is valid.

#include <string_view>

namespace kpipe::produce {

enum class QuickCheck { valid, unsure };

// `line` must be followed by at least 16 readable bytes (io::LineReader's padding).
QuickCheck quick_json_check(std::string_view line);

}  // namespace kpipe::produce
