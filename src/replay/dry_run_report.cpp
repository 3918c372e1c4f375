#include "replay/dry_run_report.hpp"

namespace kpipe::replay {

void DryRunReport::add(std::string_view target, std::optional<std::string_view> error_message) {
    std::string message(error_message.value_or("(no error message)"));
    for (auto& c : message) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    ++counts_[{std::string(target), std::move(message)}];
}

std::string DryRunReport::text() const {
    std::string text;
    for (const auto& [group, count] : counts_) {
        text += std::to_string(count) + "\t" + group.first + "\t" + group.second + "\n";
    }
    return text;
}

}  // namespace kpipe::replay
