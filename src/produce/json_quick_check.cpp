#include "produce/json_quick_check.hpp"

#include <array>
#include <cstdint>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace kpipe::produce {
namespace {

constexpr int kMaxDepth = 64;
constexpr int kMaxIntegerDigits = 18;  // always fits simdjson's 64-bit integers

class Checker {
  public:
    Checker(const char* begin, const char* end) : p_(begin), end_(end) {}

    bool document() {
        skip_space();
        if (!value(0)) return false;
        skip_space();
        return p_ == end_;
    }

  private:
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    void skip_space() {
        // Compact JSON has no whitespace: one comparison (*end_ is padding, readable).
        if (static_cast<unsigned char>(*p_) > ' ') return;
        while (p_ < end_ && is_space(*p_)) ++p_;
    }

    bool value(int depth) {
        if (p_ == end_) return false;
        switch (*p_) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    bool object(int depth) {
        if (depth > kMaxDepth) return false;
        ++p_;  // {
        skip_space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        while (true) {
            if (p_ == end_ || *p_ != '"' || !string()) return false;
            skip_space();
            if (p_ == end_ || *p_ != ':') return false;
            ++p_;
            skip_space();
            if (!value(depth)) return false;
            skip_space();
            if (p_ == end_) return false;
            if (*p_ == '}') {
                ++p_;
                return true;
            }
            if (*p_ != ',') return false;
            ++p_;
            skip_space();
        }
    }

    bool array(int depth) {
        if (depth > kMaxDepth) return false;
        ++p_;  // [
        skip_space();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        while (true) {
            if (!value(depth)) return false;
            skip_space();
            if (p_ == end_) return false;
            if (*p_ == ']') {
                ++p_;
                return true;
            }
            if (*p_ != ',') return false;
            ++p_;
            skip_space();
        }
    }

    // Moves p_ to the first byte from p_ on that is '"', '\\', a control character or not
    // ASCII (possibly past end_, into the padding).
    void skip_plain() {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (true) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
            // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches them.
            const __m128i special = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                _mm_cmpgt_epi8(space, bytes));
            const int mask = _mm_movemask_epi8(special);
            if (mask != 0) {
                p_ += __builtin_ctz(static_cast<unsigned>(mask));
                return;
            }
            p_ += 16;
            if (p_ >= end_) return;
        }
#else
        while (p_ < end_) {
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return;
            ++p_;
        }
#endif
    }

    bool string() {
        ++p_;  // opening quote
        while (true) {
            skip_plain();
            if (p_ >= end_) return false;
            if (*p_ == '"') {
                ++p_;
                return true;
            }
            if (*p_ != '\\' || end_ - p_ < 2) return false;  // control or non-ASCII: unsure
            switch (p_[1]) {
                case '"':
                case '\\':
                case '/':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                    p_ += 2;
                    break;
                default:
                    return false;  // \u (surrogates) or an invalid escape: unsure
            }
        }
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word) {
            return false;
        }
        p_ += word.size();
        return true;
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most kMaxIntegerDigits digits in all; exponents are
    // left to simdjson.
    bool number() {
        const char* start = p_;
        if (*p_ == '-') ++p_;
        if (p_ == end_ || !is_digit(*p_)) return false;
        if (*p_ == '0') {
            ++p_;
        } else {
            while (p_ < end_ && is_digit(*p_)) ++p_;
        }
        int digits = static_cast<int>(p_ - start) - (*start == '-' ? 1 : 0);
        if (p_ < end_ && *p_ == '.') {
            ++p_;
            const char* fraction = p_;
            while (p_ < end_ && is_digit(*p_)) ++p_;
            if (p_ == fraction) return false;
            digits += static_cast<int>(p_ - fraction);
        }
        if (digits > kMaxIntegerDigits) return false;
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
        return true;
    }

    const char* p_;
    const char* end_;
};

}  // namespace

QuickCheck quick_json_check(std::string_view line) {
    Checker checker(line.data(), line.data() + line.size());
    return checker.document() ? QuickCheck::valid : QuickCheck::unsure;
}

}  // namespace kpipe::produce
