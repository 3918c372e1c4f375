#pragma once
// jq's regular expressions: Oniguruma with Perl syntax (ONIG_SYNTAX_PERL_NG) on UTF-8, exactly
// the engine and options jq uses, so patterns, flags and match objects are jq's.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "filter/value.hpp"

namespace kpipe::filter {

// Compiled patterns, reused across records. Not thread-safe: one per Filter.
class RegexCache {
  public:
    RegexCache();
    ~RegexCache();
    RegexCache(RegexCache&&) noexcept;
    RegexCache& operator=(RegexCache&&) noexcept;

    // jq's _match_impl(re; flags; test): `true`/`false` when testing, otherwise the array of
    // match objects {offset, length, string, captures: [{offset, length, string, name}]}, with
    // offsets and lengths in code points. Throws FilterError with jq's messages.
    Value match(const Value& input, const Value& regex, const Value& flags, bool test_only);

  private:
    struct Compiled;
    std::map<std::pair<std::string, unsigned>, std::unique_ptr<Compiled>> compiled_;
};

// {name: string} for the named captures of a match object (sub, gsub, capture).
Value capture_object(const Value& match);

// Whether `flags` is a valid modifier string (g i x n s p l), for compile-time checks.
bool valid_regex_flags(std::string_view flags);

}  // namespace kpipe::filter
