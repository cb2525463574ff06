#pragma once
// A service's or backend's traffic counters summed over every worker, read at request time
// (workers never aggregate anything). Shared by the JSON views and the metrics exposition.

#include <cstdint>
#include <span>

#include "dataplane/stats/counters.hpp"

namespace sluice {

struct traffic_sum {
  uint64_t conns = 0, in_packets = 0, in_bytes = 0, out_packets = 0, out_bytes = 0;
  uint64_t active = 0, inactive = 0;

  void add(const traffic_counters& t) noexcept {
    conns += t.conns.get();
    in_packets += t.in_packets.get();
    in_bytes += t.in_bytes.get();
    out_packets += t.out_packets.get();
    out_bytes += t.out_bytes.get();
    active += t.active.get();
    inactive += t.inactive.get();
  }
};

inline traffic_sum service_traffic(std::span<const worker_stats* const> workers, uint32_t slot) {
  traffic_sum s;
  for (const worker_stats* w : workers) s.add(w->services[slot]);
  return s;
}

inline traffic_sum backend_traffic(std::span<const worker_stats* const> workers, uint32_t slot) {
  traffic_sum s;
  for (const worker_stats* w : workers) s.add(w->backends[slot]);
  return s;
}

} // namespace sluice
