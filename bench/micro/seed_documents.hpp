#pragma once
// Seed login events (the generator `kpipe produce --generate user-login --seed 1` uses) for the
// micro-benchmarks: generated once, cycled through by every benchmark.

#include <string>
#include <vector>

#include "generate/login_event_generator.hpp"

namespace kpipe::bench {

struct SeedEvent {
    std::string key;
    std::string value;
};

inline const std::vector<SeedEvent>& seed_events() {
    static const std::vector<SeedEvent> events = [] {
        generate::LoginEventGenerator generator(1, 1694479551);
        std::vector<SeedEvent> made(4096);
        for (auto& event : made) generator.next(event.key, event.value);
        return made;
    }();
    return events;
}

}  // namespace kpipe::bench
