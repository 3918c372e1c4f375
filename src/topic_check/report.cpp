#include "topic_check/report.hpp"

namespace kpipe::topic_check {

const char* status_name(CheckStatus status) {
    switch (status) {
        case CheckStatus::pass:
            return "pass";
        case CheckStatus::fail:
            return "fail";
        case CheckStatus::skipped:
            return "skipped";
    }
    return "fail";
}

bool Report::ok() const {
    return failure_lines(*this).empty();
}

std::vector<std::string> failure_lines(const Report& report) {
    std::vector<std::string> lines;
    for (const auto& topic : report.topics) {
        for (const auto& check : topic.checks) {
            if (check.status != CheckStatus::fail) continue;
            lines.push_back(topic.topic + ": " + check.name + ": " + check.detail);
        }
    }
    return lines;
}

}  // namespace kpipe::topic_check
