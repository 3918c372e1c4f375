#pragma once
// Synthetic login events in the seed's `user-login` schema, for `kpipe produce --generate
// user-login`.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kpipe::generate {

// Emits one event per next() call, e.g.
// {"user_id":"424cdd21-063a-43a7-b91b-7ca1a833afae","app_version":"2.3.0","device_type":"android",
//  "ip":"199.172.111.135","locale":"RU","device_id":"593-47-5928","timestamp":"1694479551"}
// Events come from a fixed population of users (each with a stable user_id, device, locale and
// app version) so ids recur the way real login traffic does; ip and timestamp vary per event.
class LoginEventGenerator {
  public:
    static constexpr std::size_t kPopulationSize = 10'000;

    // Same seed and start time -> same sequence of events, on every platform: only
    // std::mt19937_64 (whose output the standard fixes) and our own range mapping are used.
    // The first event carries start_epoch_seconds; each later one advances by 0..2 seconds.
    LoginEventGenerator(std::uint64_t seed, std::int64_t start_epoch_seconds);

    // Writes the next event: `key` = the user_id, `value` = one-line compact JSON object.
    // Both are cleared first and their buffers reused, so steady state does not allocate.
    void next(std::string& key, std::string& value);

    // The next event's timestamp, for live generation that follows the wall clock.
    void set_time(std::int64_t epoch_seconds) { now_ = epoch_seconds; }

  private:
    struct User {
        std::array<char, 36> user_id{};    // uuid v4, lowercase
        std::array<char, 11> device_id{};  // NNN-NN-NNNN
        std::uint8_t device_type = 0;      // index into the device type table
        std::uint8_t locale = 0;           // index into the locale table
        std::uint8_t app_version = 0;      // index into the app version table
        bool created = false;
    };

    const User& user(std::size_t index);
    void append_ip(std::string& out);

    std::uint64_t seed_;
    std::int64_t now_;
    std::mt19937_64 rng_;
    std::vector<User> users_;
};

}  // namespace kpipe::generate
