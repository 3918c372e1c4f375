#pragma once
// Fault specifications for `kpipe broker --fault SPEC` and the --control channel: what to break
// in the mock cluster, and when. The grammar (kpipe-broker(1), "FAULTS"):
//
//   SPEC := WORD [WORD...]      words separated by spaces, in any order
//   one KIND word:  down | up | rtt | error | leader | coordinator
//   fields:         at=TIME every=TIME for=TIME broker=ID ms=MS api=API code=ERROR count=N
//                   topic=NAME partition=N group=NAME txn=ID
//   TIME := N followed by ms, s or m (e.g. 500ms, 5s, 2m)
//
// The legacy control commands "down ID", "up ID" and "rtt ID MS" are accepted too.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace kpipe::broker {

struct Fault {
    enum class Kind { down, up, rtt, error, leader, coordinator };
    Kind kind = Kind::down;
    std::chrono::milliseconds at{0};                      // delay before the first firing
    std::optional<std::chrono::milliseconds> every{};     // repeat period
    std::optional<std::chrono::milliseconds> duration{};  // for=: undo (down, rtt) after this
    std::optional<std::int32_t> broker_id{};  // down/up/rtt/coordinator; error: only this broker;
                                              // leader: the new leader (none: rotate)
    int rtt_ms = 0;
    std::int16_t api_key = 0;                 // error: the request type (Kafka ApiKey)
    std::int32_t error_code = 0;              // error: the Kafka error code returned
    int count = 1;                            // error: how many requests fail
    std::string topic{};                      // leader
    std::optional<std::int32_t> partition{};  // leader (none: every partition)
    std::string coordinator_type{};           // coordinator: "group" or "transaction"
    std::string coordinator_key{};            // coordinator: the group or transactional id
    std::string text{};                       // the spec as given, for messages
};

// Parses one SPEC; a usage error names the bad word and how to write it.
Expected<Fault> parse_fault_spec(std::string_view text);

// A control-channel line: a SPEC or a legacy "down ID", "up ID", "rtt ID MS".
Expected<Fault> parse_control_command(std::string_view line);

// What firing the fault does, for the stderr line: e.g. "broker 2 down for 3s".
std::string describe(const Fault& fault);

// "Produce" for 0, ... (the names --fault accepts), or the number.
std::string api_name(std::int16_t api_key);
// Kafka's name of a broker error code, e.g. "NOT_LEADER_OR_FOLLOWER" for 6.
std::string error_name(std::int32_t error_code);

// "500ms", "5s", "2m"; std::nullopt if malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace kpipe::broker
