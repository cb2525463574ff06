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
//
// Expired templates are freed from a timer wheel over the key positions (8 bytes per template):
// re-arming a template on a new connection only moves its `expires`; the wheel finds the real
// deadline when the old one comes due.

#include <rte_hash.h>

#include <cstdint>
#include <optional>

#include "dataplane/flow/timer_wheel.hpp"

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
  // Frees the templates expired at `now` whose wheel slot came due, examining at most `budget`
  // (wheel work units) per call and resuming where the last call stopped. Returns how many.
  unsigned expire(uint64_t now, unsigned budget) noexcept;

  uint32_t size() const noexcept { return uint32_t(rte_hash_count(hash_)); }

private:
  struct key {
    uint32_t client_addr;
    uint32_t service_slot;
  };

  rte_hash* hash_ = nullptr;
  affinity_template* templates_ = nullptr; // indexed by the key's position in hash_
  timer_link* links_ = nullptr;            // the wheel's, indexed by key position then slot
  std::optional<timer_wheel> wheel_;       // constructed once links_ is reserved
};

} // namespace sluice
