#pragma once
// test(re; flags) on RE2. jq uses Oniguruma (Perl syntax); the pattern is translated where the two
// differ in ways that can be mapped: \d \w \s are Unicode-aware in Oniguruma, and `$` / `\Z`
// also match before a final newline. What cannot be mapped (backreferences, lookaround, possessive
// quantifiers, ASCII-only \b and negated classes inside [...]) is a runtime error or a documented
// difference.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kpipe::filter {

// jq's modifiers: g (global, no effect on test), i (case-insensitive), l (longest, no effect on
// test), s (single line: Oniguruma's default under jq's syntax, so no effect), p (dot matches
// newline; jq sets s as well). x (extended) and n (ignore empty matches) have no RE2 equivalent.
struct RegexFlags {
    enum class Problem { none, invalid, unsupported };

    bool case_insensitive = false;
    bool dot_matches_newline = false;
    Problem problem = Problem::none;
    std::string message;  // for invalid (jq's wording) and unsupported (names the flag)
};

RegexFlags parse_regex_flags(std::string_view modifiers);

// The RE2 pattern for an Oniguruma (jq) pattern.
std::string translate_oniguruma_pattern(std::string_view pattern);

// Compiled patterns, reused across records. Not thread-safe: one per Filter.
class RegexCache {
  public:
    RegexCache();
    ~RegexCache();
    RegexCache(RegexCache&&) noexcept;
    RegexCache& operator=(RegexCache&&) noexcept;

    // Whether `text` contains a match. A pattern RE2 rejects gives an error message instead.
    std::optional<bool> search(std::string_view pattern, const RegexFlags& flags,
                               std::string_view text, std::string& error);

  private:
    struct Compiled;
    std::unordered_map<std::string, std::unique_ptr<Compiled>> compiled_;
};

}  // namespace kpipe::filter
