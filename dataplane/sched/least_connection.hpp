#pragma once
// IPVS lc (ip_vs_lc.c): the backend with the least overhead, overhead = ActiveConn * 256 +
// InActConn (ip_vs_dest_conn_overhead), first one on ties; weight-0 backends are skipped.
//
// The counts are the calling worker's own (worker_stats::backends[slot].active/inactive):
// lc and wlc balance per worker, not across workers. With RSS spreading connections evenly
// this converges to the global choice; a worker never reads another worker's counters.

#include <cstdint>
#include <optional>

#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

inline uint64_t ipvs_conn_overhead(const traffic_counters& c) noexcept {
  return (c.active.get() << 8) + c.inactive.get();
}

// `per_backend` is indexed by backend slot. Returns an index into svc.backends(), or nullopt when
// no backend has a weight.
inline std::optional<uint32_t> pick_least_connection(const snapshot_service& svc,
                                                     const traffic_counters* per_backend) noexcept {
  std::optional<uint32_t> least;
  uint64_t least_overhead = 0;
  for (uint32_t i = 0; i < svc.backend_count; ++i) {
    const snapshot_backend& b = svc.block->backends[i];
    if (b.weight == 0) continue;
    const uint64_t overhead = ipvs_conn_overhead(per_backend[b.slot]);
    if (!least || overhead < least_overhead) {
      least = i;
      least_overhead = overhead;
    }
  }
  return least;
}

} // namespace sluice
