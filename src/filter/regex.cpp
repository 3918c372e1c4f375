#include "filter/regex.hpp"

#include <re2/re2.h>

namespace kpipe::filter {

namespace {

// Oniguruma's Unicode classes (jq compiles patterns as UTF-8 without ASCII-range options).
constexpr std::string_view word_class = "\\p{L}\\p{M}\\p{N}\\p{Pc}";
constexpr std::string_view space_class = "\\t\\n\\x{0B}\\f\\r\\x{85}\\p{Z}";
// Oniguruma's `$` and `\Z` also match just before a string-final newline. test() only asks
// whether a match exists, so consuming that newline does not change the answer.
constexpr std::string_view end_or_final_newline = "(?:\\n?\\z)";
constexpr std::size_t cache_limit = 256;

}  // namespace

struct RegexCache::Compiled {
    std::unique_ptr<re2::RE2> re;
};

RegexFlags parse_regex_flags(std::string_view modifiers) {
    RegexFlags flags;
    for (char c : modifiers) {
        switch (c) {
            case 'g':
            case 'l':
            case 's':
                break;
            case 'i':
                flags.case_insensitive = true;
                break;
            case 'p':
                flags.dot_matches_newline = true;
                break;
            case 'x':
            case 'n':
                if (flags.problem == RegexFlags::Problem::none) {
                    flags.problem = RegexFlags::Problem::unsupported;
                    flags.message = c == 'x' ? "regex flag \"x\" (extended syntax)"
                                             : "regex flag \"n\" (ignore empty matches)";
                }
                break;
            default:
                flags.problem = RegexFlags::Problem::invalid;
                flags.message = std::string(modifiers) + " is not a valid modifier string";
                return flags;
        }
    }
    return flags;
}

std::string translate_oniguruma_pattern(std::string_view pattern) {
    std::string out;
    out.reserve(pattern.size() + 16);
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char e = pattern[++i];
            switch (e) {
                case 'd':
                    out += "\\p{Nd}";
                    continue;
                case 'D':
                    out += "\\P{Nd}";
                    continue;
                case 'w':
                    out += in_class ? std::string(word_class) : "[" + std::string(word_class) + "]";
                    continue;
                case 's':
                    out +=
                        in_class ? std::string(space_class) : "[" + std::string(space_class) + "]";
                    continue;
                case 'W':
                    if (!in_class) {
                        out += "[^" + std::string(word_class) + "]";
                        continue;
                    }
                    break;
                case 'S':
                    if (!in_class) {
                        out += "[^" + std::string(space_class) + "]";
                        continue;
                    }
                    break;
                case 'Z':
                    if (!in_class) {
                        out += end_or_final_newline;
                        continue;
                    }
                    break;
                default:
                    break;
            }
            out.push_back('\\');
            out.push_back(e);
            continue;
        }
        if (in_class) {
            if (c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
                // POSIX class [:alpha:] inside a bracket expression: copy through its closing ":]".
                const std::size_t close = pattern.find(":]", i + 2);
                if (close != std::string_view::npos) {
                    out.append(pattern.substr(i, close + 2 - i));
                    i = close + 1;
                    continue;
                }
            }
            if (c == ']') in_class = false;
            out.push_back(c);
            continue;
        }
        if (c == '[') {
            in_class = true;
            out.push_back(c);
            // A ']' right after '[' or '[^' is a literal member, not the end of the class.
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
            continue;
        }
        if (c == '$') {
            out += end_or_final_newline;
            continue;
        }
        out.push_back(c);
    }
    return out;
}

RegexCache::RegexCache() = default;
RegexCache::~RegexCache() = default;
RegexCache::RegexCache(RegexCache&&) noexcept = default;
RegexCache& RegexCache::operator=(RegexCache&&) noexcept = default;

std::optional<bool> RegexCache::search(std::string_view pattern, const RegexFlags& flags,
                                       std::string_view text, std::string& error) {
    std::string key;
    key.reserve(pattern.size() + 2);
    key.push_back(flags.case_insensitive ? 'i' : '-');
    key.push_back(flags.dot_matches_newline ? 'p' : '-');
    key.append(pattern);
    auto found = compiled_.find(key);
    if (found == compiled_.end()) {
        if (compiled_.size() >= cache_limit) compiled_.clear();
        re2::RE2::Options options;
        options.set_log_errors(false);
        options.set_case_sensitive(!flags.case_insensitive);
        options.set_dot_nl(flags.dot_matches_newline);
        auto compiled = std::make_unique<Compiled>();
        compiled->re = std::make_unique<re2::RE2>(translate_oniguruma_pattern(pattern), options);
        found = compiled_.emplace(std::move(key), std::move(compiled)).first;
    }
    const re2::RE2& re = *found->second->re;
    if (!re.ok()) {
        error = std::string(pattern) + " (at offset 0) is not a valid regex: " + re.error();
        return std::nullopt;
    }
    return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

}  // namespace kpipe::filter
