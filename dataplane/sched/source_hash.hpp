#pragma once
// IPVS sh: the client's address picks a bucket of a weighted bucket table built on the control
// side, so one client keeps reaching one backend while the backend set is unchanged. Weight-0
// backends own no bucket (they drain); IPVS would instead leave their buckets empty and need
// the sh-fallback flag to reschedule those clients.

#include "dataplane/sched/lookup_table.hpp"

namespace sluice {

// `client_addr` in network byte order. Returns an index into svc.backends(), or nullopt when
// every backend drains.
inline std::optional<uint32_t> pick_source_hash(const snapshot_service& svc,
                                                uint32_t client_addr) noexcept {
  return pick_from_table(svc, address_hash(client_addr));
}

} // namespace sluice
