#pragma once
// The schedulers whose choice is a function of a hash (sh, dh, mh) read a table the control
// plane built (control/snapshot/sched_tables.cpp): one reduction and one indexed load.

#include <cstdint>
#include <optional>

#include "dataplane/sched/stable_hash.hpp"
#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

// Returns an index into svc.backends(), or nullopt when the service's table is empty (every
// backend drains).
inline std::optional<uint32_t> pick_from_table(const snapshot_service& svc,
                                               uint64_t hash) noexcept {
  if (svc.table_size == 0) return std::nullopt;
  return svc.block->table[reduce_hash(hash, svc.table_size)];
}

} // namespace sluice
