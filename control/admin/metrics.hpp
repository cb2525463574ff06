#pragma once
// Prometheus text exposition (format 0.0.4) of the running state (docs/ARCHITECTURE.md,
// Contracts). Every name starts with sluice_; counters are summed over workers at scrape time,
// like the JSON views.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "control/admin/api/stats.hpp"
#include "control/admin/histogram.hpp"
#include "control/config/model.hpp"
#include "control/health/health_state.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

inline constexpr const char* k_metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Upper bounds of sluice_snapshot_publish_duration_seconds: one service's change among
// thousands takes under a millisecond, a whole compile of a large config up to seconds.
inline constexpr double k_publish_seconds_buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                       0.005,  0.01,    0.025,  0.05,  0.1,
                                                       0.25,   0.5,     1,      2.5,   5};
// Upper bounds of sluice_network_programming_duration_seconds: from milliseconds (a lab, one
// watch event) to the minutes a large cluster's controllers can take; Kubernetes' SLO for the
// same measure is 30 s at the 99th percentile.
inline constexpr double k_programming_seconds_buckets[] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

// The control plane's own counters.
struct control_metrics {
  uint64_t generation = 0;           // of the published snapshot
  uint64_t publishes = 0;            // snapshots published since start
  double publish_seconds_sum = 0;    // compile + publish (RCU wait included), summed
  histogram publish_seconds{k_publish_seconds_buckets}; // the same durations, by bucket
  uint64_t api_changes_applied = 0;
  uint64_t api_changes_refused = 0;
  uint64_t reloads_applied = 0;      // of the config file (SIGHUP, POST /v1/reload)
  uint64_t reloads_refused = 0;
  bool last_reload_successful = true;     // the last load of the file (start included)
  double last_reload_success_unix = 0;    // when the file was last applied (start included)
  // kubernetes: (off: no sluice_network_programming_* family at all).
  bool kubernetes_enabled = false;
  histogram programming_seconds{k_programming_seconds_buckets};
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

// sluice_mbuf_pool_size and sluice_mbuf_pool_in_use, one series per pool (label `pool`); no
// family at all without pools.
std::string render_mempool_metrics(std::span<const api::mempool_report> pools);

} // namespace sluice
