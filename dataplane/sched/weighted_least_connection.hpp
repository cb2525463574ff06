#pragma once
// IPVS wlc (ip_vs_wlc.c): the backend with the least overhead / weight, compared as
// overhead_a * weight_b > overhead_b * weight_a so that no division is needed; the first one
// wins ties and weight-0 backends are never picked. Overhead and the per-worker counting are
// those of lc (least_connection.hpp).

#include "dataplane/sched/least_connection.hpp"

namespace sluice {

// `per_backend` is indexed by backend slot. Returns an index into svc.backends(), or nullopt when
// no backend has a weight.
inline std::optional<uint32_t> pick_weighted_least_connection(const snapshot_service& svc, const traffic_counters* per_backend) noexcept {
  std::optional<uint32_t> least;
  unsigned __int128 least_overhead = 0;
  for (uint32_t i = 0; i < svc.backend_count; ++i) {
    const snapshot_backend& b = svc.block->backends[i];
    if (b.weight == 0) continue;
    const unsigned __int128 overhead = ipvs_conn_overhead(per_backend[b.slot]);
    if (!least || least_overhead * b.weight > overhead * svc.block->backends[*least].weight) {
      least = i;
      least_overhead = overhead;
    }
  }
  return least;
}

} // namespace sluice
