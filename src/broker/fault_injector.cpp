#include "broker/fault_injector.hpp"

#include <cstdio>
#include <string>

#include "kafka/mock_cluster.hpp"

namespace kpipe::broker {

Status check_fault_brokers(const Fault& fault, int broker_count) {
    if (fault.broker_id && *fault.broker_id > broker_count) {
        return usage_error("fault '" + fault.text + "': there is no broker " +
                           std::to_string(*fault.broker_id) + "; brokers are 1.." +
                           std::to_string(broker_count) + " (raise --broker-count)");
    }
    return ok();
}

FaultInjector::FaultInjector(kafka::MockCluster& cluster, std::ostream& log,
                             Clock::time_point start)
    : cluster_(cluster), log_(log), start_(start) {}

Status FaultInjector::add(const Fault& fault, Clock::time_point now) {
    if (auto checked = check_fault_brokers(fault, cluster_.broker_count()); !checked) {
        return checked;
    }
    schedule_.add(fault, now);
    return ok();
}

Status FaultInjector::run_due(Clock::time_point now) {
    Status result = ok();
    for (const auto& firing : schedule_.take_due(now)) {
        auto applied = apply(firing);
        const auto elapsed = std::chrono::duration<double>(firing.when - start_).count();
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "%.3f", elapsed);
        std::string line = "kpipe broker: fault at " + std::string(stamp) + "s: ";
        if (firing.undo) {
            line += "end of '" + describe(firing.fault) + "'";
        } else {
            line += describe(firing.fault);
        }
        if (!applied) line += ": failed: " + applied.error().message;
        log_ << line << std::endl;
        if (!applied && result) result = applied;
    }
    return result;
}

Status FaultInjector::apply(const FaultFiring& firing) {
    const Fault& fault = firing.fault;
    const std::int32_t broker = fault.broker_id.value_or(0);
    switch (fault.kind) {
        case Fault::Kind::down:
            return firing.undo ? cluster_.set_broker_up(broker) : cluster_.set_broker_down(broker);
        case Fault::Kind::up:
            return cluster_.set_broker_up(broker);
        case Fault::Kind::rtt:
            return cluster_.set_broker_rtt(broker, firing.undo ? 0 : fault.rtt_ms);
        case Fault::Kind::error:
            return cluster_.push_request_errors(fault.api_key, fault.count, fault.error_code,
                                                fault.broker_id);
        case Fault::Kind::leader:
            return rotate_leaders(fault, firing.round);
        case Fault::Kind::coordinator:
            return cluster_.set_coordinator(fault.coordinator_type, fault.coordinator_key, broker);
    }
    return ok();
}

// Round r moves partition p to broker ((p + r) mod N) + 1 (or every partition to broker=), so
// each round changes the leader of every partition when N > 1.
Status FaultInjector::rotate_leaders(const Fault& fault, int round) {
    const int brokers = cluster_.broker_count();
    const auto leader_of = [&](std::int32_t partition) {
        if (fault.broker_id) return *fault.broker_id;
        return static_cast<std::int32_t>((partition + round) % brokers + 1);
    };
    if (fault.partition) {
        return cluster_.set_partition_leader(fault.topic, *fault.partition,
                                             leader_of(*fault.partition));
    }
    // The mock has no partition count query: walk the partitions until one does not exist.
    for (std::int32_t partition = 0;; ++partition) {
        auto moved = cluster_.set_partition_leader(fault.topic, partition, leader_of(partition));
        if (!moved) {
            if (partition == 0) {
                return Error{"topic '" + fault.topic +
                             "' does not exist (yet): " + moved.error().message};
            }
            return ok();
        }
    }
}

}  // namespace kpipe::broker
