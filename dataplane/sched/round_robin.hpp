#pragma once
// IPVS rr: the next backend after the previous pick, skipping weight-0 (draining) backends.
// The cursor is per worker and per service slot: each worker rotates on its own, as IPVS's
// per-service state would if every core had its own copy.

#include <cstdint>
#include <optional>

#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

// Returns an index into svc.backends(), or nullopt when no backend has a weight.
inline std::optional<uint32_t> pick_round_robin(const snapshot_service& svc,
                                                uint32_t& cursor) noexcept {
  const uint32_t n = svc.backend_count;
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t i = (cursor + k) % n;
    if (svc.block->backends[i].weight > 0) {
      cursor = i + 1 == n ? 0 : i + 1;
      return i;
    }
  }
  return std::nullopt;
}

} // namespace sluice
