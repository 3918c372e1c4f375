#include "filter/regex.hpp"

#include <oniguruma.h>

#include <vector>

#include "filter/builtins.hpp"

namespace kpipe::filter {

namespace {

void initialize_oniguruma() {
    static const bool initialized = [] {
        OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
        onig_initialize(encodings, 1);
        return true;
    }();
    (void)initialized;
}

struct Options {
    OnigOptionType options = ONIG_OPTION_CAPTURE_GROUP;
    bool global = false;
};

Options parse_flags(const Value& flags) {
    Options out;
    if (flags.is_null()) return out;
    if (!flags.is_string()) raise(kind_and_value(flags) + " is not a string");
    for (char c : flags.as_string()) {
        switch (c) {
            case 'g':
                out.global = true;
                break;
            case 'i':
                out.options |= ONIG_OPTION_IGNORECASE;
                break;
            case 'x':
                out.options |= ONIG_OPTION_EXTEND;
                break;
            case 'n':
                out.options |= ONIG_OPTION_FIND_NOT_EMPTY;
                break;
            case 's':
                out.options |= ONIG_OPTION_SINGLELINE;
                break;
            case 'p':
                out.options |= ONIG_OPTION_MULTILINE | ONIG_OPTION_SINGLELINE;
                break;
            case 'l':
                out.options |= ONIG_OPTION_FIND_LONGEST;
                break;
            default:
                raise(flags.as_string() + " is not a valid modifier string");
        }
    }
    return out;
}

std::size_t codepoints_between(const std::string& text, std::size_t from, std::size_t to) {
    return codepoint_count(std::string_view(text).substr(from, to - from));
}

struct NameTarget {
    Array* captures;
};

int name_callback(const UChar* name, const UChar* name_end, int groups, int* group_list,
                  regex_t*, void* arg) {
    auto* target = static_cast<NameTarget*>(arg);
    for (int i = 0; i < groups; ++i) {
        const auto index = static_cast<std::size_t>(group_list[i] - 1);
        if (index >= target->captures->size()) continue;
        Object capture = (*target->captures)[index].as_object();
        capture.set("name", Value::string(std::string(reinterpret_cast<const char*>(name),
                                                      reinterpret_cast<const char*>(name_end))));
        (*target->captures)[index] = Value::object(std::move(capture));
    }
    return 0;
}

}  // namespace

struct RegexCache::Compiled {
    regex_t* regex = nullptr;
    ~Compiled() {
        if (regex != nullptr) onig_free(regex);
    }
};

RegexCache::RegexCache() = default;
RegexCache::~RegexCache() = default;
RegexCache::RegexCache(RegexCache&&) noexcept = default;
RegexCache& RegexCache::operator=(RegexCache&&) noexcept = default;

bool valid_regex_flags(std::string_view flags) {
    return flags.find_first_not_of("gixnspl") == std::string_view::npos;
}

Value capture_object(const Value& match) {
    Object out;
    const Value* captures = match.as_object().find("captures");
    if (captures == nullptr) return Value::object(std::move(out));
    for (const Value& capture : captures->as_array()) {
        const Object& c = capture.as_object();
        const Value* name = c.find("name");
        if (name == nullptr || !name->is_string()) continue;
        const Value* string = c.find("string");
        out.set(name->as_string(), string != nullptr ? *string : Value());
    }
    return Value::object(std::move(out));
}

Value RegexCache::match(const Value& input, const Value& regex, const Value& flags,
                        bool test_only) {
    if (!input.is_string())
        raise(kind_and_value(input) + " cannot be matched, as it is not a string");
    if (!regex.is_string()) raise(kind_and_value(regex) + " is not a string");
    const Options options = parse_flags(flags);
    const std::string& pattern = regex.as_string();

    const auto key = std::make_pair(pattern, static_cast<unsigned>(options.options));
    auto found = compiled_.find(key);
    if (found == compiled_.end()) {
        initialize_oniguruma();
        auto compiled = std::make_unique<Compiled>();
        OnigErrorInfo info{};
        const auto* begin = reinterpret_cast<const UChar*>(pattern.data());
        const int rc = onig_new(&compiled->regex, begin, begin + pattern.size(), options.options,
                                ONIG_ENCODING_UTF8, ONIG_SYNTAX_PERL_NG, &info);
        if (rc != ONIG_NORMAL) {
            compiled->regex = nullptr;
            UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
            onig_error_code_to_str(message, rc, &info);
            raise(pattern + " (at offset 0) is not a valid regex: " +
                  reinterpret_cast<const char*>(message));
        }
        if (compiled_.size() >= 256) compiled_.clear();  // a filter building patterns per record
        found = compiled_.emplace(key, std::move(compiled)).first;
    }
    regex_t* re = found->second->regex;

    const std::string& text = input.as_string();
    const auto* start_of_text = reinterpret_cast<const UChar*>(text.data());
    const UChar* end = start_of_text + text.size();
    const UChar* start = start_of_text;
    OnigRegion* region = onig_region_new();
    struct RegionGuard {
        OnigRegion* region;
        ~RegionGuard() { onig_region_free(region, 1); }
    } guard{region};

    Array matches;
    do {
        const int rc =
            onig_search(re, start_of_text, end, start, end, region, ONIG_OPTION_NONE);
        if (rc == ONIG_MISMATCH) break;
        if (rc < 0) {
            UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
            onig_error_code_to_str(message, rc);
            raise(std::string(reinterpret_cast<const char*>(message)));
        }
        if (test_only) return Value::boolean(true);
        const auto begin0 = static_cast<std::size_t>(region->beg[0]);
        const auto end0 = static_cast<std::size_t>(region->end[0]);
        const auto offset = static_cast<double>(codepoints_between(text, 0, begin0));
        Object match;
        Array captures;
        if (begin0 == end0) {
            // A zero-width match (jq 1.7: with its captures, all empty at the same place).
            match.set("offset", Value::number(offset));
            match.set("length", Value::number(0));
            match.set("string", Value::string(""));
            for (int i = 1; i < region->num_regs; ++i) {
                Object capture;
                capture.set("offset", Value::number(offset));
                capture.set("string", Value::string(""));
                capture.set("length", Value::number(0));
                capture.set("name", Value());
                captures.push_back(Value::object(std::move(capture)));
            }
        } else {
            match.set("offset", Value::number(offset));
            match.set("length", Value::number(static_cast<double>(
                                    codepoints_between(text, begin0, end0))));
            match.set("string", Value::string(text.substr(begin0, end0 - begin0)));
            for (int i = 1; i < region->num_regs; ++i) {
                Object capture;
                if (region->beg[i] == region->end[i]) {
                    if (region->beg[i] == -1) {
                        capture.set("offset", Value::number(-1));
                        capture.set("string", Value());
                    } else {
                        capture.set("offset",
                                    Value::number(static_cast<double>(codepoints_between(
                                        text, 0, static_cast<std::size_t>(region->beg[i])))));
                        capture.set("string", Value::string(""));
                    }
                    capture.set("length", Value::number(0));
                    capture.set("name", Value());
                } else {
                    const auto b = static_cast<std::size_t>(region->beg[i]);
                    const auto e = static_cast<std::size_t>(region->end[i]);
                    capture.set("offset", Value::number(static_cast<double>(
                                              codepoints_between(text, 0, b))));
                    capture.set("length", Value::number(static_cast<double>(
                                              codepoints_between(text, b, e))));
                    capture.set("string", Value::string(text.substr(b, e - b)));
                    capture.set("name", Value());
                }
                captures.push_back(Value::object(std::move(capture)));
            }
        }
        NameTarget target{&captures};
        onig_foreach_name(re, name_callback, &target);
        match.set("captures", Value::array(std::move(captures)));
        matches.push_back(Value::object(std::move(match)));
        start = start_of_text + (begin0 == end0 ? end0 + 1 : end0);
        onig_region_clear(region);
    } while (options.global && start < end);
    if (test_only) return Value::boolean(false);
    return Value::array(std::move(matches));
}

}  // namespace kpipe::filter
