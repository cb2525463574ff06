#pragma once
// Session affinity (IPVS persistence, Kubernetes sessionAffinity: ClientIP): a per-worker table
// of templates {client address, service} -> backend. Flows are owned by the worker chosen from
// the client address (worker/handoff.hpp), so every connection of a client meets the same
// worker and the same template, whichever worker its packets arrived on.
//
// A template lives `persistence_timeout` seconds after the last connection it scheduled (IPVS
// re-arms it the same way); it is ignored once its backend has left the service or drains
// (weight 0), so a removed backend releases its clients. Fixed capacity, no allocation after
// construction; when full, new clients are scheduled without a template.

#include <rte_hash.h>

#include <cstdint>
#include <optional>

namespace sluice {

struct affinity_template {
  uint32_t backend_slot; // identifies the backend across snapshots
  uint64_t expires;      // TSC
};

class affinity_table {
public:
  // Throws std::runtime_error when memory cannot be reserved (init time only).
  affinity_table(unsigned worker_id, uint32_t capacity, int socket_id);
  ~affinity_table();
  affinity_table(const affinity_table&) = delete;
  affinity_table& operator=(const affinity_table&) = delete;

  // The live template of (client, service slot), or nullopt (none, or expired at `now`).
  std::optional<uint32_t> backend_slot(uint32_t client_addr, uint32_t service_slot,
                                       uint64_t now) const noexcept;
  // Creates or re-arms the template to expire at `expires`. False when the table is full.
  bool remember(uint32_t client_addr, uint32_t service_slot, uint32_t backend_slot,
                uint64_t expires) noexcept;
  // Frees up to `budget` expired templates, resuming where the last call stopped.
  unsigned expire(uint64_t now, unsigned budget) noexcept;

  uint32_t size() const noexcept { return uint32_t(rte_hash_count(hash_)); }

private:
  struct key {
    uint32_t client_addr;
    uint32_t service_slot;
  };

  rte_hash* hash_ = nullptr;
  affinity_template* templates_ = nullptr; // indexed by the key's position in hash_
  uint32_t cursor_ = 0;       // next key position the expiry sweep examines
  uint32_t max_position_ = 0; // largest key position rte_hash can hand out
};

} // namespace sluice
