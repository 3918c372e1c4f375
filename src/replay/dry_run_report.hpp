#pragma once
// What a dry run prints: how many records would go to each target topic, grouped by the error
// message their dead-letter headers give.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kpipe::replay {

class DryRunReport {
  public:
    void add(std::string_view target, std::optional<std::string_view> error_message);

    // One line per (target, message): "COUNT<TAB>TARGET<TAB>MESSAGE", ordered by target and
    // message; control characters in a message become spaces, so each group is one line.
    std::string text() const;

  private:
    std::map<std::pair<std::string, std::string>, std::uint64_t> counts_;
};

}  // namespace kpipe::replay
