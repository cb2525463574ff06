#pragma once
// mh: Maglev consistent hashing (NSDI'16 §3.4). The lookup table is built on the control side
// (control/snapshot/maglev.cpp) with a prime size M; here the flow's 5-tuple hash picks a slot.
// The hash is keyed by fixed constants, so every worker and every appliance maps a flow to the
// same slot, and a flow whose state was lost (restart, another appliance) still reaches the
// same backend as long as the table is unchanged.

#include "dataplane/sched/lookup_table.hpp"

namespace sluice {

// Addresses and ports in network byte order. Returns an index into svc.backends(), or nullopt
// when every backend drains.
inline std::optional<uint32_t> pick_maglev(const snapshot_service& svc,
                                           uint32_t client_addr, uint16_t client_port,
                                           uint32_t vip, uint16_t vip_port,
                                           uint8_t proto) noexcept {
  return pick_from_table(svc, flow_tuple_hash(client_addr, client_port, vip, vip_port, proto));
}

} // namespace sluice
