#pragma once
// The desired state: the config the dataplane should be running — the file's services, the
// runtime changes made since it was loaded, and the services of other sources (Kubernetes) —
// and its publication. Every input becomes either a whole config (start, reload, many source
// changes at once) or per-service deltas (a runtime change, a few source changes); both are
// compiled into a snapshot, published (atomic swap, RCU), and only then made the applied config.
// The health and announcement controllers hear of every change. Called under the control
// plane's lock.
//
// Runtime changes change the applied config only: the file is never written, and the next
// reload from it replaces them, as `ipvsadm-restore` would.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/admin/metrics.hpp"
#include "control/announce/controller.hpp"
#include "control/config/change.hpp"
#include "control/config/load.hpp"
#include "control/daemon/drains.hpp"
#include "control/daemon/flow_requests.hpp"
#include "control/desired/sources.hpp"
#include "control/health/controller.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/snapshot/publisher.hpp"

namespace sluice {

class desired_state {
public:
  // Compiles and publishes `initial`. Throws compile_error when it does not fit the dataplane.
  desired_state(std::string config_path, config initial, std::vector<port_info> ports,
                snapshot_publisher& publisher, control_metrics& metrics,
                health::controller& health, announcement_controller& announce);

  const config& applied() const noexcept { return applied_; }
  const snapshot& published() const { return publisher_.latest(); }
  const slot_registries& slots() const noexcept { return slots_; }
  uint64_t generation() const noexcept { return generation_; }
  // The workers' command rings (flow flushes, gratuitous ARPs), once they run.
  void take_flow_requests(const command_rings* rings) { commands_ = rings; }
  const command_rings* commands() const noexcept { return commands_; }

  // Re-reads the config file and applies it whole, or changes nothing and returns the problems
  // (one "file:line: field: message" string each). The sources' services stay unless the file
  // now claims their name or address.
  std::vector<std::string> reload();

  // Applies a runtime change planned against the applied config (config/change.hpp), flushing
  // the flows of what it removes when `flush`. Throws compile_error (nothing changed).
  struct change_result {
    int64_t publish_us = 0;
    uint64_t flows_flushed = 0;
    bool flush_answered = true; // every worker finished the flush within 5 s
  };
  change_result apply_change(service_delta d, bool flush);

  // Makes the source's services what `u` says (service_sources::plan); a few changes are
  // compiled one service at a time, many in one compile. Returns what was left out or refused;
  // on a compile refusal the deltas before it stay.
  std::vector<std::string> update_source(const std::string& source, source_update u);

  // Recompiles the named service with the health controller's current verdicts.
  void recompile_for_health(const std::string& service_name);

  // Flushes the flows of removed backends whose drain_timeout has passed.
  void flush_due_drains(std::chrono::steady_clock::time_point now);

private:
  // Up to this many changed services are recompiled one at a time; more, in one compile.
  static constexpr std::size_t k_few_changes = 16;

  // Compiles and publishes `next`, then makes it the applied config; returns the time taken in
  // microseconds. Throws compile_error (nothing changed).
  int64_t apply(config next);
  // One service's change, recompiling that service only. Throws compile_error (nothing changed).
  int64_t apply(service_delta d);
  // Deltas in sort_for_apply() order; throws compile_error (the ones before it stay applied).
  int64_t apply_each(std::vector<service_delta> deltas);
  void publish(std::unique_ptr<snapshot> next, std::chrono::steady_clock::time_point start);
  // The workers' flows of what `d` removes (a service, or backends of one), before it applies.
  std::vector<flow_filter> removed_by(const service_delta& d) const;

  std::string path_;
  config applied_;
  std::vector<port_info> ports_;
  snapshot_publisher& publisher_;
  control_metrics& metrics_;
  health::controller& health_;
  announcement_controller& announce_;
  slot_registries slots_;
  uint64_t generation_ = 0;
  unsigned runtime_changes_ = 0; // applied since the file was last loaded
  service_sources sources_;
  drain_schedule drains_; // removed backends whose flows are flushed after drain_timeout
  const command_rings* commands_ = nullptr;
};

} // namespace sluice
