#pragma once
// Prometheus text exposition (format 0.0.4) of the running state (docs/ARCHITECTURE.md,
// Contracts). Every name starts with sluice_; counters are summed over workers at scrape time,
// like the JSON views.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/health/health_state.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

inline constexpr const char* k_metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// The control plane's own counters.
struct control_metrics {
  uint64_t generation = 0;           // of the published snapshot
  uint64_t publishes = 0;            // snapshots published since start
  double publish_seconds_sum = 0;    // compile + publish (RCU wait included), summed
  uint64_t api_changes_applied = 0;
  uint64_t api_changes_refused = 0;
  uint64_t reloads_applied = 0;
  uint64_t reloads_refused = 0;
  // announce.bgp (off: no sluice_bgp_* family at all).
  bool bgp_enabled = false;
  std::vector<uint32_t> bgp_announced; // VIPs BIRD announces now (network byte order)
  uint64_t bgp_apply_failures = 0;     // changes BIRD could not be given (retried)
};

// `applied` is the config `snap` was compiled from (services and backends in the same order);
// `health` (if any) adds the health-check families.
std::string render_metrics(const config& applied, const snapshot& snap,
                           std::span<const worker_stats* const> workers,
                           const control_metrics& control,
                           const health::health_table* health = nullptr);

} // namespace sluice
