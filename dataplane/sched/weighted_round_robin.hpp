#pragma once
// IPVS wrr (ip_vs_wrr.c): interleaved weighted round robin. A current weight cw starts at the
// largest weight and steps down by the gcd of the weights after every pass over the list; a
// pass picks each backend whose weight is >= cw. With weights 3 and 1 the sequence is
// A A A B, repeating; weight-0 backends are never picked. The cursor is per worker and per
// service slot; it restarts from the head whenever a new snapshot is published, as IPVS resets
// its mark when a destination changes.

#include <cstdint>
#include <optional>

#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

struct wrr_cursor {
  int32_t index = -1;      // last backend picked, relative to the service; -1: the list head
  int32_t cw = 0;          // current weight
  uint64_t generation = 0; // snapshot the cursor belongs to
};

// Returns an index into svc.backends(), or nullopt when no backend has a weight.
inline std::optional<uint32_t> pick_weighted_round_robin(const snapshot& s,
                                                         const snapshot_service& svc,
                                                         wrr_cursor& c) noexcept {
  const int32_t n = int32_t(svc.backend_count);
  if (svc.max_weight == 0 || n == 0) return std::nullopt;
  if (c.generation != s.generation || c.index >= n) c = {.index = -1, .cw = 0, .generation = s.generation};
  // Terminates within two passes: after the head, cw <= max_weight and the pass meets the
  // backend that has max_weight.
  for (int32_t step = 0; step < 2 * n + 2; ++step) {
    if (c.index < 0) {
      c.index = 0;
      c.cw -= svc.weight_gcd;
      if (c.cw <= 0) c.cw = svc.max_weight;
    } else {
      c.index = c.index + 1 == n ? -1 : c.index + 1;
    }
    if (c.index >= 0 && svc.block->backends[uint32_t(c.index)].weight >= c.cw)
      return uint32_t(c.index);
  }
  return std::nullopt;
}

} // namespace sluice
