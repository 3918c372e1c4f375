// jq is the oracle: every case in tests/data/filter/differential.jsonl runs through `jq -c` and
// through Filter::apply, and the two must print the same lines or both fail. The expected outputs
// come from /usr/bin/jq (or $KPIPE_JQ) at test time, except for the cases whose answer depends on
// jq's Debian patch level: those carry their own (`expected` / `expected_error`) and jq is not
// asked, so the test passes with every jq 1.6 a Debian 12 machine can have.
#include <fcntl.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "filter_test_support.hpp"

extern char** environ;

using kpipe::filter::testing::Run;
using kpipe::filter::testing::run_filter;

namespace {

// The oracle. KPIPE_JQ names another jq 1.6 build, to show the corpus does not depend on which.
std::string jq_path() {
    const char* explicit_path = std::getenv("KPIPE_JQ");
    return explicit_path != nullptr && *explicit_path != '\0' ? explicit_path : "/usr/bin/jq";
}

struct JqResult {
    int exit_code = -1;
    std::vector<std::string> lines;
    std::string error;  // the message after "jq: error (at <stdin>:N)"
    std::string raw_stderr;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class JqRunner {
  public:
    JqRunner() {
        char pattern[] = "/tmp/kpipe-differential-XXXXXX";
        const char* dir = mkdtemp(pattern);
        REQUIRE(dir != nullptr);
        dir_ = dir;
    }
    ~JqRunner() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    JqRunner(const JqRunner&) = delete;
    JqRunner& operator=(const JqRunner&) = delete;

    // Runs `jq -c filter` on each input, a few processes at a time (jq's start-up dominates).
    std::vector<JqResult> run_all(const std::vector<std::pair<std::string, std::string>>& jobs) {
        constexpr std::size_t batch = 8;
        std::vector<JqResult> results(jobs.size());
        for (std::size_t first = 0; first < jobs.size(); first += batch) {
            const std::size_t last = std::min(first + batch, jobs.size());
            std::vector<pid_t> pids;
            for (std::size_t i = first; i < last; ++i) pids.push_back(spawn(i - first, jobs[i]));
            for (std::size_t i = first; i < last; ++i) {
                int status = 0;
                REQUIRE(waitpid(pids[i - first], &status, 0) == pids[i - first]);
                results[i] = collect(i - first, status);
            }
        }
        return results;
    }

  private:
    std::filesystem::path file(std::size_t slot, const char* name) const {
        return dir_ / (name + std::to_string(slot));
    }

    pid_t spawn(std::size_t slot, const std::pair<std::string, std::string>& job) {
        const auto in_path = file(slot, "in");
        const auto out_path = file(slot, "out");
        const auto err_path = file(slot, "err");
        std::ofstream(in_path, std::ios::binary) << job.second;

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::string program = jq_path();
        std::string compact = "-c";
        std::string filter_arg = job.first;
        char* argv[] = {program.data(), compact.data(), filter_arg.data(), nullptr};
        pid_t pid = 0;
        const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        REQUIRE(spawned == 0);
        return pid;
    }

    JqResult collect(std::size_t slot, int status) const {
        JqResult result;
        result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::istringstream out(read_file(file(slot, "out")));
        for (std::string line; std::getline(out, line);) result.lines.push_back(line);
        result.raw_stderr = read_file(file(slot, "err"));
        std::string message = result.raw_stderr;
        if (!message.empty() && message.back() == '\n') message.pop_back();
        const std::string prefix = "jq: error (at ";
        if (message.rfind(prefix, 0) == 0) {
            message = message.substr(message.find(')') + 1);
            if (message.rfind(": ", 0) == 0) {
                message = message.substr(2);
            } else if (message.rfind(" ", 0) == 0) {
                message = message.substr(1);
            }
        }
        // kpipe's failure messages are single lines.
        for (std::size_t at = message.find('\n'); at != std::string::npos;
             at = message.find('\n', at + 2)) {
            message.replace(at, 1, "\\n");
        }
        result.error = message;
        return result;
    }

    std::filesystem::path dir_;
};

struct Case {
    std::size_t line = 0;
    std::string filter;
    std::string input;
    std::string feature;
    bool messages_may_differ = false;
    // Stored answer for a case jq's patch levels disagree on (see tests/data/filter/README.md).
    bool has_expected = false;
    std::vector<std::string> expected_lines;
    std::optional<std::string> expected_error;
};

std::vector<Case> read_cases(const std::string& name) {
    const std::string path = std::string(KPIPE_TEST_DATA_DIR) + "/filter/" + name;
    std::ifstream in(path);
    REQUIRE(in.good());
    std::vector<Case> cases;
    simdjson::dom::parser parser;
    std::size_t line_number = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_number;
        if (line.empty()) continue;
        simdjson::dom::element element;
        INFO(path << ":" << line_number);
        REQUIRE(parser.parse(line).get(element) == simdjson::SUCCESS);
        Case c;
        c.line = line_number;
        std::string_view text;
        REQUIRE(element["filter"].get_string().get(text) == simdjson::SUCCESS);
        c.filter = std::string(text);
        if (element["input"].get_string().get(text) == simdjson::SUCCESS)
            c.input = std::string(text);
        if (element["feature"].get_string().get(text) == simdjson::SUCCESS)
            c.feature = std::string(text);
        simdjson::dom::array lines;
        if (element["expected"].get_array().get(lines) == simdjson::SUCCESS) {
            c.has_expected = true;
            for (simdjson::dom::element line_element : lines) {
                REQUIRE(line_element.get_string().get(text) == simdjson::SUCCESS);
                c.expected_lines.emplace_back(text);
            }
        }
        if (element["expected_error"].get_string().get(text) == simdjson::SUCCESS) {
            c.has_expected = true;
            c.expected_error = std::string(text);
        }
        bool loose = false;
        if (element["messages_may_differ"].get_bool().get(loose) == simdjson::SUCCESS) {
            c.messages_may_differ = loose;
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

// A stored answer in the form jq's would have: exit 5 with the message, or exit 0 with the lines.
JqResult stored_answer(const Case& c) {
    JqResult result;
    result.exit_code = c.expected_error ? 5 : 0;
    result.lines = c.expected_lines;
    result.error = c.expected_error.value_or("");
    result.raw_stderr = "(stored in differential.jsonl)\n";
    return result;
}

std::string describe(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) out += "\n    " + line;
    return out;
}

}  // namespace

TEST_CASE("differential: kpipe prints what jq -c prints", "[filter]") {
    // jq is the oracle: without it this test fails.
    REQUIRE(access(jq_path().c_str(), X_OK) == 0);
    const std::vector<Case> cases = read_cases("differential.jsonl");
    CHECK(cases.size() >= 250);
    JqRunner jq;
    std::vector<std::pair<std::string, std::string>> jobs;
    std::vector<std::size_t> asked;  // indexes of the cases jq answers
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (cases[i].has_expected) continue;
        asked.push_back(i);
        jobs.emplace_back(cases[i].filter, cases[i].input);
    }
    std::vector<JqResult> results(cases.size());
    std::vector<JqResult> answers = jq.run_all(jobs);
    for (std::size_t j = 0; j < asked.size(); ++j) results[asked[j]] = std::move(answers[j]);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (cases[i].has_expected) results[i] = stored_answer(cases[i]);
    }
    std::size_t outputs_compared = 0;
    std::size_t errors_compared = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        INFO("differential.jsonl:" << c.line << ": jq -c '" << c.filter << "' <<< '" << c.input
                                   << "'");
        const JqResult& expected = results[i];
        const Run actual = run_filter(c.filter, c.input);
        INFO("jq exit " << expected.exit_code << ":" << describe(expected.lines)
                        << "\n  stderr: " << expected.raw_stderr << "kpipe: " << actual.summary());
        REQUIRE((expected.exit_code == 0 || expected.exit_code == 3 || expected.exit_code == 5));
        if (expected.exit_code == 3) {
            CHECK_FALSE(actual.compiled);  // both refuse the filter
            continue;
        }
        REQUIRE(actual.compiled);
        if (expected.exit_code == 5) {
            ++errors_compared;
            CHECK(actual.failed);
            CHECK(actual.failure_kind == kpipe::filter::FailureKind::filter_error);
            if (!c.messages_may_differ) CHECK(actual.message == expected.error);
            continue;
        }
        ++outputs_compared;
        CHECK_FALSE(actual.failed);
        CHECK(actual.outputs == expected.lines);
    }
    CHECK(outputs_compared > 150);
    CHECK(errors_compared > 50);
}

TEST_CASE("differential: filters jq refuses at compile time are refused, naming what is wrong", "[filter]") {
    const std::vector<Case> cases = read_cases("unsupported.jsonl");
    CHECK(cases.size() >= 20);
    for (const Case& c : cases) {
        INFO("unsupported.jsonl:" << c.line << ": " << c.filter);
        auto filter = kpipe::filter::Filter::compile(c.filter);
        REQUIRE_FALSE(filter.has_value());
        INFO(filter.error().message);
        CHECK(filter.error().kind == kpipe::ErrorKind::usage);
        CHECK(filter.error().message.rfind("filter:", 0) == 0);
        CHECK(filter.error().message.find(c.feature) != std::string::npos);
    }
}
