#pragma once
// IPVS dh: the destination address picks a bucket of the weighted bucket table (the same kind
// sh uses). On a VIP service the destination is always the VIP, so every new flow of the
// service goes to one backend; dh is meant for transparent caches, where IPVS services are
// fwmark or any-address ones.

#include "dataplane/sched/lookup_table.hpp"

namespace sluice {

// `dst_addr` in network byte order. Returns an index into svc.backends(), or nullopt when every
// backend drains.
inline std::optional<uint32_t> pick_destination_hash(const snapshot_service& svc,
                                                     uint32_t dst_addr) noexcept {
  return pick_from_table(svc, address_hash(dst_addr));
}

} // namespace sluice
