#pragma once
// Removed backends draining on a timer: a backend that leaves a service whose drain_timeout is
// set keeps its established flows for that long, then the control plane flushes them from every
// worker. Re-adding the backend before then cancels the flush. Control thread only.

#include <chrono>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/worker/flow_command.hpp"

namespace sluice {

class drain_schedule {
public:
  using clock = std::chrono::steady_clock;

  struct drain {
    clock::time_point due;
    std::string identity; // backend_identity() of the backend that left
    flow_filter filter;   // its flows: the service's slot and the backend's address (and port)
  };

  // `old` (whose counter slot is `service_slot`) is replaced by `now`, or removed when `now` is
  // null: schedules a drain for every backend of old that now lacks, if old.drain_timeout > 0.
  // Also cancels the drains of backends that `now` has again.
  void on_change(const service_config& old, const service_config* now, uint32_t service_slot,
                 clock::time_point at);
  // A service appeared (added, or renamed into existence): cancels drains of its backends.
  void on_added(const service_config& now);

  // Backend `b` of `s` (counter slot `service_slot`) left scheduling but not the config (its
  // health check failed): its flows are flushed after s.drain_timeout, if set.
  void on_out_of_service(const service_config& s, const backend_config& b, uint32_t service_slot,
                         clock::time_point at);
  // Cancels the drain of the backend `identity` (backend_identity()), if one is scheduled.
  void cancel(const std::string& identity);

  // Removes and returns the drains due at `at`.
  std::vector<drain> take_due(clock::time_point at);
  std::size_t pending() const noexcept { return drains_.size(); }

private:
  void schedule(const service_config& s, const backend_config& b, uint32_t service_slot,
                clock::time_point at);

  std::vector<drain> drains_;
};

} // namespace sluice
