#pragma once
// The health controller: what the health checks have found and what follows from it. It keeps
// the checked backends' state (health_state.hpp), hands the prober its targets after every
// change of the desired state, tells the availability watchers (the announcers' contract in
// health_state.hpp) what changed, and schedules the flush of a failed backend's flows after
// its service's drain_timeout. Called under the control plane's lock.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "control/daemon/drains.hpp"
#include "control/daemon/flow_requests.hpp"
#include "control/health/health_state.hpp"

namespace sluice::health {

class prober;

class controller {
public:
  using clock = std::chrono::steady_clock;

  const health_table& table() const noexcept { return table_; }
  const std::unordered_set<std::string>& down() const noexcept { return table_.down(); }

  // The desired state's services were replaced whole by `services`.
  void on_services(std::span<const service_config> services);
  // One service changed: `old` (or none) became `now` (or none).
  void on_service(const service_config* old, const service_config* now);

  // Counts the checks' results and logs each transition; returns the names of the services
  // whose scheduling changed (a backend went in or out of it), to be recompiled.
  std::vector<std::string> record(const std::vector<probe_result>& results);
  // After `s` was recompiled for record(): schedules (or cancels) the flush of its backends
  // that moved, and re-evaluates its availability. `service_slot`: its counter slot, if any.
  void on_recompiled(const service_config& s, std::optional<uint32_t> service_slot,
                     clock::time_point now);
  // Hands the prober its new targets and tells the watchers what changed since the last call.
  void notify();

  void take_prober(prober* p);
  bool available(const std::string& service) const { return availability_.available(service); }
  void watch(availability_callback cb);

  // Flushes the flows of failed backends whose drain_timeout has passed (and that are still
  // down) through `commands`, if the workers take flow requests.
  void flush_due(const command_rings* commands, clock::time_point now);

private:
  health_table table_;
  availability_tracker availability_;
  std::vector<availability_callback> watchers_;
  std::vector<std::pair<std::string, bool>> changed_; // availability, not yet told
  std::vector<transition> moved_;                     // in or out of scheduling, by record()
  drain_schedule drains_; // backends taken out by their check, flushed after drain_timeout
  prober* prober_ = nullptr;
};

} // namespace sluice::health
