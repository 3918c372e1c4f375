#pragma once
// Applies faults to the mock cluster as their time comes, and says so on the fault log
// (stderr): one line per firing.

#include <chrono>
#include <ostream>

#include "broker/fault_schedule.hpp"
#include "broker/fault_spec.hpp"
#include "common/expected.hpp"

namespace kpipe::kafka {
class MockCluster;
}

namespace kpipe::broker {

// A usage error if `fault` names a broker the cluster does not have.
Status check_fault_brokers(const Fault& fault, int broker_count);

class FaultInjector {
  public:
    using Clock = FaultSchedule::Clock;

    FaultInjector(kafka::MockCluster& cluster, std::ostream& log, Clock::time_point start);

    // Schedules `fault` relative to `now`; fails (and schedules nothing) for an unknown broker.
    Status add(const Fault& fault, Clock::time_point now);

    // Applies every fault due at `now`; the first error, if one failed (all are attempted).
    Status run_due(Clock::time_point now);

  private:
    Status apply(const FaultFiring& firing);
    Status rotate_leaders(const Fault& fault, int round);

    kafka::MockCluster& cluster_;
    std::ostream& log_;
    Clock::time_point start_;
    FaultSchedule schedule_;
};

}  // namespace kpipe::broker
