#pragma once
// Compiles a validated config into an immutable dataplane snapshot: whole (start, reload), or
// one service at a time (runtime changes), reusing every other service's compiled block.

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "control/acl/compile.hpp"
#include "control/config/model.hpp"
#include "control/snapshot/slots.hpp"
#include "dataplane/port/port.hpp"

namespace sluice {

struct compile_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct slot_registries {
  slot_registry services;
  slot_registry backends;
  acl_compile_cache acl = {}; // ACL hit-counter slots and the last compiled ACL tables
};

// Stable identities of services and backends (their counter-slot keys).
std::string service_identity(const service_config& s);
std::string backend_identity(const service_config& s, const backend_config& b);

// Backends that health checks took out of scheduling, by backend_identity(); honoured only for
// services that have a health_check. They are compiled with weight 0: no scheduler picks them
// for a new flow and every table (Maglev's included) comes out as if they were absent, while they
// keep their counter slot and their established flows (which follow the service's drain policy).
using out_of_service = std::unordered_set<std::string>;

// `ports[i]` is the running port of c.interfaces[i]. Throws compile_error when the config needs
// more service or backend slots than the dataplane was started with; the registries are then
// left unchanged.
std::unique_ptr<snapshot> compile_snapshot(const config& c, std::span<const port_info> ports,
                                           slot_registries& slots, uint64_t generation,
                                           const out_of_service* down = nullptr);

// One service changed between the config `prev` was compiled from and `next`:
//   added:    next.services.back() is new;
//   replaced: next.services[index] replaces `old` (its identity may differ);
//   removed:  `old`, which was at `index`, is gone.
// Every other service is the same, in the same order.
struct service_change {
  enum class op : uint8_t { added, replaced, removed } kind;
  std::size_t index = 0;                 // replaced, removed
  const service_config* old = nullptr;   // replaced, removed
};

// The snapshot for `next`, sharing every unchanged service's block with `prev`. Costs one
// service's compile plus a copy of the per-service headers. Throws compile_error when slots run
// out; the registries are then left unchanged.
std::unique_ptr<snapshot> recompile_service(const snapshot& prev, const config& next,
                                            const service_change& change, slot_registries& slots,
                                            uint64_t generation,
                                            const out_of_service* down = nullptr);

} // namespace sluice
