// The fast path must give byte-identical results to the general path. Each filter F is compared
// with "F | [.][0]", which means the same but is not a shape the fast path takes.
#include "filter/fast_path.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "filter_test_support.hpp"

// Counts every allocation in the test binary, to check the fast path's steady state. Not under
// AddressSanitizer, which replaces operator new itself (GCC says so with __SANITIZE_ADDRESS__,
// clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define KPIPE_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KPIPE_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(KPIPE_TEST_UNDER_ASAN)
constexpr bool counting_allocations = false;
namespace {
std::atomic<long> allocations{0};
}  // namespace
#else
constexpr bool counting_allocations = true;
namespace {
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
#endif

using kpipe::filter::Filter;
using kpipe::filter::is_canonical_json_string;
using kpipe::filter::testing::run_on;

namespace {

const std::vector<std::string> filters = {
    "{user_id, locale, timestamp}",
    "{user_id, ts: .timestamp, \"k\": .a.b, lit: \"x\", n: 1.5, z: null}",
    ".user_id",
    ".a.b",
    ".a",
    ".",
    "{a, b: .a.b, c: .a.c.d}",
    "select(.locale == \"KR\") | {user_id, locale}",
    "select(.n > 2 and .n <= 10) | .n",
    "select(.a.b != null or has(\"z\")) | {a}",
    "select(.t)",
    "select(\"m\" < .s) | .s",
    "select(.x == true or .x == false or .x == null) | .x",
    "select(.n == 1)",
    "select(has(\"a\")) | .a.b",
};

const std::vector<std::string> documents = {
    R"({"user_id":"u1","locale":"KR","timestamp":"1694479551","extra":[1,{"x":null}]})",
    R"({"user_id":"u\"2","locale":"\u00e9","timestamp":"\u001f\n\t\\"})",
    R"({"user_id":"\u0041","locale":"a\/b","timestamp":"\u007f"})",
    R"({"user_id":"","locale":"KR","timestamp":1})",
    R"({ "user_id" : "spaced" , "locale":"KR" ,"timestamp" : [ 1 , 2 ] } )",
    R"({"user_id":1,"user_id":2,"locale":"KR","locale":"JP"})",
    R"({"a":{"b":1},"a":{"c":{"d":2}}})",
    R"({"a":{"b":1,"b":2}})",
    R"({"a":{"b":[1,{"c":true}],"c":{"d":"x"}}})",
    R"({"a":{"b":[1, 2]}})",
    R"({"a":{"b":{"k":1,"k":2}}})",
    R"({"a":"str"})",
    R"({"a":5,"n":3})",
    R"({"a":null,"z":0})",
    R"({"a":[]})",
    R"({"n":1.0})",
    R"({"n":1e2,"a":-0})",
    R"({"n":-0,"s":"n"})",
    R"({"n":12345678901234567890,"a":100000000000000000001})",
    R"({"n":1E400,"a":1e-400})",
    R"({"n":10.5,"t":true})",
    R"({"t":[],"s":"m"})",
    R"({"t":false,"s":"z"})",
    R"({"t":0,"x":true})",
    R"({"x":null})",
    R"({"x":false})",
    R"({"s":"\u006d"})",
    R"({})",
    R"([1,2])",
    R"("string")",
    R"(42)",
    R"(null)",
    R"(true)",
    "  {\"user_id\":\"ws\"}  \n",
    R"({"user_id":"a"} {"user_id":"b"})",
    R"({"user_id":"a",})",
    R"({"user_id":01})",
    R"({"user_id":"\ud800"})",
    R"({"user_id":"a","junk":[1,2,}})",
    R"({"user_id":"a","junk":tru})",
    R"({"user_id":"a","junk":"\x"})",
    R"({"user_id":"a","junk":nul})",
    R"({"user_id":"a","junk":-})",
    R"({"user_id":"a","junk":{"k"}})",
    R"({"user_id":"a","junk":[1 2]})",
    R"({"user_id":"a"}})",
    R"({"user_id":"a")",
    "{\"user_id\":\"\xff\"}",
    "",
    R"({"a":{"b":"é😀","c":{"d":[{"e":[]}]}},"user_id":"x"})",
    R"({"a":{"b":"\u00e9"}})",
    R"({"a":{"b":"\/"}})",
    R"({"a\u0062":1,"a":{"b":2}})",
    R"({"a":{"b":1},"a":null})",
    R"({"a":{"b":1},"a":7})",
};

// An independent, deliberately simple RFC 8259 validator (ASCII input, jq's depth limit of 256),
// to check that walking On-Demand accepts exactly the valid documents.
class StrictJson {
  public:
    static bool valid(std::string_view text) {
        StrictJson json(text);
        json.skip_space();
        if (!json.value(0)) return false;
        json.skip_space();
        return json.pos_ == text.size();
    }

  private:
    explicit StrictJson(std::string_view text) : text_(text) {}

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skip_space() {
        while (pos_ < text_.size() &&
               std::string_view(" \t\n\r").find(text_[pos_]) != std::string_view::npos) {
            ++pos_;
        }
    }
    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }
    bool digits() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        return pos_ > start;
    }
    bool number() {
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (!digits()) {
            return false;
        }
        if (peek() == '.') {
            ++pos_;
            if (!digits()) return false;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!digits()) return false;
        }
        return true;
    }
    bool hex4(unsigned& code) {
        code = 0;
        for (int k = 0; k < 4; ++k) {
            const char h = peek();
            const std::size_t digit =
                std::string_view("0123456789abcdef")
                    .find(static_cast<char>(h >= 'A' && h <= 'F' ? h + 32 : h));
            if (h == '\0' || digit == std::string_view::npos) return false;
            code = code * 16 + static_cast<unsigned>(digit);
            ++pos_;
        }
        return true;
    }
    bool string() {
        ++pos_;
        for (;;) {
            if (pos_ >= text_.size()) return false;
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) return false;
            if (c != '\\') {
                ++pos_;
                continue;
            }
            ++pos_;
            const char e = peek();
            ++pos_;
            if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos && e != '\0')
                continue;
            unsigned code = 0;
            if (e != 'u' || !hex4(code)) return false;
            if (code >= 0xdc00 && code < 0xe000) return false;
            if (code >= 0xd800 && code < 0xdc00) {
                unsigned low = 0;
                if (!literal("\\u") || !hex4(low) || low < 0xdc00 || low >= 0xe000) return false;
            }
        }
    }
    bool value(int depth) {
        const char c = peek();
        if (c == '{' || c == '[') {
            if (depth + 1 > 256) return false;
            const char close = c == '{' ? '}' : ']';
            ++pos_;
            skip_space();
            if (peek() == close) {
                ++pos_;
                return true;
            }
            for (;;) {
                if (c == '{') {
                    if (peek() != '"' || !string()) return false;
                    skip_space();
                    if (peek() != ':') return false;
                    ++pos_;
                    skip_space();
                }
                if (!value(depth + 1)) return false;
                skip_space();
                if (peek() == ',') {
                    ++pos_;
                    skip_space();
                    continue;
                }
                if (peek() != close) return false;
                ++pos_;
                return true;
            }
        }
        if (c == '"') return string();
        if (c == 't') return literal("true");
        if (c == 'f') return literal("false");
        if (c == 'n') return literal("null");
        return number();
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

std::string summary_of(Filter& filter, std::string_view document) {
    return run_on(filter, document).summary();
}

// The summary of `document` parsed in place (Padding::readable), followed by bytes that would
// change the result if they were read as part of it: more digits, closing brackets, a record.
std::string summary_in_place(Filter& filter, std::string_view document) {
    std::string buffer(document);
    while (buffer.size() < document.size() + Filter::kReadablePadding) {
        buffer += "7]}\"}\n{\"user_id\":\"x\",\"a\":{\"b\":1}}\n";
    }
    kpipe::filter::testing::Run run;
    run.compiled = true;
    kpipe::filter::FilterOutputs outputs;
    if (auto failure = filter.apply(std::string_view(buffer.data(), document.size()), outputs,
                                    kpipe::filter::Padding::readable)) {
        run.failed = true;
        run.failure_kind = failure->kind;
        run.message = failure->message;
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) run.outputs.emplace_back(outputs[i]);
    return run.summary();
}

}  // namespace

TEST_CASE("fast path: recognised shapes", "[filter]") {
    for (const std::string& source : filters) {
        INFO(source);
        auto fast = Filter::compile(source);
        REQUIRE(fast.has_value());
        CHECK(fast->uses_fast_path());
        auto general = Filter::compile(source + " | [.][0]");
        REQUIRE(general.has_value());
        CHECK_FALSE(general->uses_fast_path());
    }
    for (const char* other : {".a?", ".[0]", ".a | length", "{(.k): .v}", "{a: .}", "{a: 1, a: 2}",
                              "select(.a == [1])", "select(.a + 1 > 2) | .a", "[.a]", ".a[]",
                              "select(.a) | select(.b)", "has(\"a\")", "{a: .b?}"}) {
        INFO(other);
        auto filter = Filter::compile(other);
        REQUIRE(filter.has_value());
        CHECK_FALSE(filter->uses_fast_path());
    }
}

TEST_CASE("fast path: same output as the general path", "[filter]") {
    for (const std::string& source : filters) {
        auto fast = Filter::compile(source);
        auto general = Filter::compile(source + " | [.][0]");
        REQUIRE(fast.has_value());
        REQUIRE(general.has_value());
        for (const std::string& document : documents) {
            INFO(source << " on " << document);
            CHECK(summary_of(*fast, document) == summary_of(*general, document));
            CHECK(summary_in_place(*fast, document) == summary_of(*general, document));
        }
    }
}

TEST_CASE("fast path: the seed projection", "[filter]") {
    auto filter = Filter::compile("{user_id, locale, timestamp}");
    REQUIRE(filter.has_value());
    CHECK(summary_of(*filter,
                     R"({"user_id":"92e3cbc8","app_version":"1.8.0","device_type":"android",)"
                     R"("ip":"119.154.142.159","locale":"KR","device_id":"236-90-7129",)"
                     R"("timestamp":"1694479551"})") ==
          R"({"user_id":"92e3cbc8","locale":"KR","timestamp":"1694479551"})");
    CHECK(summary_of(*filter, R"({"locale":"KR"})") ==
          R"({"user_id":null,"locale":"KR","timestamp":null})");
}

TEST_CASE("fast path: agrees with the general path on corrupted records", "[filter]") {
    // Mutations of valid records: whatever the fast path accepts, the general path must accept
    // with the same output, and whatever it rejects must be rejected the same way.
    const std::vector<std::string> seeds = {
        R"({"user_id":"92e3cbc8","locale":"KR","timestamp":"1694479551","n":12,"a":{"b":[1,{"c":"d"}]}})",
        R"({"a":{"b":"x\"y","c":{"d":null}},"t":true,"s":"m","x":false,"z":[]})",
    };
    const std::string alphabet = "{}[]\":,\\ 0123456789.eE+-tfnrulsabxyzu\x7f\n";
    std::mt19937 random(20240229);
    std::vector<std::pair<Filter, Filter>> pairs;
    for (const std::string& source : filters) {
        auto fast = Filter::compile(source);
        auto general = Filter::compile(source + " | [.][0]");
        REQUIRE(fast.has_value());
        REQUIRE(general.has_value());
        pairs.emplace_back(std::move(*fast), std::move(*general));
    }
    int compared = 0;
    int valid = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string document = seeds[static_cast<std::size_t>(round) % seeds.size()];
        const int edits = 1 + static_cast<int>(random() % 3);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = random() % (document.size() + 1);
            const char c = alphabet[random() % alphabet.size()];
            switch (random() % 3) {
                case 0:
                    document.insert(at, 1, c);
                    break;
                case 1:
                    if (at < document.size()) document.erase(at, 1);
                    break;
                default:
                    if (at < document.size()) document[at] = c;
                    break;
            }
        }
        {
            INFO("validity of " << document);
            const auto general = run_on(pairs.front().second, document);
            const bool rejected =
                general.failed && general.failure_kind == kpipe::filter::FailureKind::invalid_json;
            const bool strict_valid = StrictJson::valid(document);
            CHECK(rejected == !strict_valid);
            if (strict_valid) ++valid;
        }
        for (auto& [fast, general] : pairs) {
            INFO(fast.source() << " on " << document);
            const std::string expected = summary_of(general, document);
            REQUIRE(summary_of(fast, document) == expected);
            REQUIRE(summary_in_place(fast, document) == expected);
            ++compared;
        }
    }
    CHECK(compared == 3000 * static_cast<int>(filters.size()));
    CHECK(valid > 300);  // the mutations leave enough documents valid to exercise the outputs
}

TEST_CASE("fast path: outputs are reused across records", "[filter]") {
    auto filter = Filter::compile(".user_id");
    REQUIRE(filter.has_value());
    kpipe::filter::FilterOutputs outputs;
    REQUIRE_FALSE(filter->apply(R"({"user_id":"first"})", outputs).has_value());
    REQUIRE(outputs.size() == 1);
    CHECK(outputs[0] == "\"first\"");
    REQUIRE_FALSE(filter->apply(R"({"user_id":2})", outputs).has_value());
    REQUIRE(outputs.size() == 1);
    CHECK(outputs[0] == "2");
    REQUIRE(filter->apply("[", outputs).has_value());
    CHECK(outputs.size() == 0);
}

TEST_CASE("fast path: no allocation per record once buffers have grown", "[filter]") {
    auto filter =
        Filter::compile("select(.device_type == \"android\") | {user_id, locale, timestamp}");
    REQUIRE(filter.has_value());
    std::vector<std::string> records;
    for (int i = 0; i < 100; ++i) {
        records.push_back(R"({"user_id":"u)" + std::to_string(i) + R"(","app_version":"1.8.0",)" +
                          R"("device_type":")" + (i % 3 == 0 ? "ios" : "android") +
                          R"(","locale":"KR","timestamp":")" + std::to_string(1694479551 + i) +
                          "\"}");
    }
    kpipe::filter::FilterOutputs outputs;
    for (const std::string& record : records)
        REQUIRE_FALSE(filter->apply(record, outputs).has_value());
    const long before = allocations.load();
    std::size_t produced = 0;
    for (int round = 0; round < 10; ++round) {
        for (const std::string& record : records) {
            if (filter->apply(record, outputs).has_value()) FAIL(record);
            produced += outputs.size();
        }
    }
    CHECK(produced == 660);
    if (!counting_allocations) return;
    CHECK(allocations.load() == before);
}

TEST_CASE("fast path: canonical strings are those jq prints unchanged", "[filter]") {
    CHECK(is_canonical_json_string("plain é"));
    CHECK(is_canonical_json_string(R"(a\"b\\c\n\t\r\b\f)"));
    CHECK(is_canonical_json_string(R"(\u0001\u001f\u007f)"));
    CHECK_FALSE(is_canonical_json_string(R"(\/)"));
    CHECK_FALSE(is_canonical_json_string(R"(\u0041)"));
    CHECK_FALSE(is_canonical_json_string(R"(\u000a)"));
    CHECK_FALSE(is_canonical_json_string(R"(\u001F)"));
    CHECK_FALSE(is_canonical_json_string(R"(\u00e9)"));
    CHECK_FALSE(is_canonical_json_string("raw\x7f"));
}

namespace {

// Runs `filter` with apply_line over `text` as one block of lines (as io::LineReader hands them
// out), returning each line's summary.
std::vector<std::string> summaries_by_line(Filter& filter, const std::string& text,
                                           std::uint64_t block_id) {
    std::string buffer = text;
    buffer += "\n{\"user_id\":\"x\"}7]}\"";  // a partial next line, then padding
    buffer.append(Filter::kReadablePadding, '}');
    const std::string_view all(buffer.data(), text.size());
    std::vector<std::string> summaries;
    std::size_t begin = 0;
    while (begin <= all.size()) {
        std::size_t end = all.find('\n', begin);
        if (end == std::string_view::npos) end = all.size();
        kpipe::filter::testing::Run run;
        run.compiled = true;
        kpipe::filter::FilterOutputs outputs;
        if (auto failure = filter.apply_line(all.substr(begin, end - begin), all.substr(begin),
                                             block_id, outputs)) {
            run.failed = true;
            run.failure_kind = failure->kind;
            run.message = failure->message;
        }
        for (std::size_t i = 0; i < outputs.size(); ++i) run.outputs.emplace_back(outputs[i]);
        summaries.push_back(run.summary());
        begin = end + 1;
    }
    return summaries;
}

}  // namespace

TEST_CASE("fast path: a block of lines gives each line's own result", "[filter]") {
    // Lines whose document does not span exactly the line must be parsed on their own.
    std::vector<std::string> lines = {
        "",
        "   ",
        "\r",
        R"({"user_id":"crlf","a":{"b":1}})"
        "\r",
        "\t {\"user_id\":\"blanks\"} \t",
        R"({"user_id":"a"} {"user_id":"b"})",
        R"({"user_id":"a"}{"user_id":"b"})",
        R"({"user_id":"a"} 1)",
        R"({"user_id":"a"}})",
        R"({"user_id":)",
        R"("across"})",
        R"({"user_id":"a","locale":[1,)",
        R"(2]})",
        R"({"user_id":"open)",
        R"({"user_id":"\u0041\"","n":3})",
        "{\"user_id\":\"del \x7f\",\"a\":{\"b\":\"\x7f\"}}",
        R"({"user_id":"a\\b","a":{"b":"\n"}})",
        R"({"user_id":"a","n":1,"t":true,"s":"z","x":null,"a":{"b":2}})",
        R"({"user_id":"seed","locale":"KR","timestamp":"1694479551"})",
    };
    for (const std::string& document : documents) {
        if (document.find('\n') == std::string::npos) lines.push_back(document);
    }
    std::mt19937 random(20261127);
    for (const std::string& source : filters) {
        auto fast = Filter::compile(source);
        auto general = Filter::compile(source + " | [.][0]");
        REQUIRE(fast.has_value());
        REQUIRE(general.has_value());
        for (int round = 0; round < 300; ++round) {
            std::vector<std::string> picked;
            const std::size_t count = 1 + random() % 12;
            for (std::size_t i = 0; i < count; ++i) {
                // Mostly valid records, so that runs of them go through the stream.
                picked.push_back(random() % 2 == 0 ? lines.back() : lines[random() % lines.size()]);
            }
            std::string text;
            for (std::size_t i = 0; i < picked.size(); ++i) {
                if (i > 0) text += '\n';
                text += picked[i];
            }
            INFO(source << " on block:\n" << text);
            const auto got = summaries_by_line(*fast, text, static_cast<std::uint64_t>(round + 1));
            REQUIRE(got.size() == picked.size());
            for (std::size_t i = 0; i < picked.size(); ++i) {
                INFO("line " << i << ": " << picked[i]);
                CHECK(got[i] == summary_of(*general, picked[i]));
            }
        }
    }
}

TEST_CASE("fast path: apply_line after a skipped line or a new block", "[filter]") {
    auto filter = Filter::compile("{user_id}");
    REQUIRE(filter.has_value());
    std::string buffer = R"({"user_id":1})"
                         "\n"
                         R"({"user_id":2})"
                         "\n"
                         R"({"user_id":3})";
    buffer.append(Filter::kReadablePadding, ' ');
    const std::string_view block(buffer.data(), buffer.size() - Filter::kReadablePadding);
    kpipe::filter::FilterOutputs outputs;
    REQUIRE_FALSE(filter->apply_line(block.substr(0, 13), block, 1, outputs));
    CHECK(outputs[0] == R"({"user_id":1})");
    // The second line is skipped (e.g. too large): the third still gets its own result.
    REQUIRE_FALSE(filter->apply_line(block.substr(28, 13), block.substr(28), 1, outputs));
    CHECK(outputs[0] == R"({"user_id":3})");
    // The same bytes as a new block (the reader refilled its buffer).
    buffer.replace(11, 1, "4");
    REQUIRE_FALSE(filter->apply_line(block.substr(0, 13), block, 2, outputs));
    CHECK(outputs[0] == R"({"user_id":4})");
}
