#pragma once
// Compiles a validated config into an immutable dataplane snapshot.

#include <memory>
#include <span>
#include <stdexcept>
#include <string>

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
};

// Stable identities of services and backends (their counter-slot keys).
std::string service_identity(const service_config& s);
std::string backend_identity(const service_config& s, const backend_config& b);

// `ports[i]` is the running port of c.interfaces[i]. Throws compile_error when the config needs
// more service or backend slots than the dataplane was started with; the registries are then
// left unchanged.
std::unique_ptr<snapshot> compile_snapshot(const config& c, std::span<const port_info> ports,
                                           slot_registries& slots, uint64_t generation);

} // namespace sluice
