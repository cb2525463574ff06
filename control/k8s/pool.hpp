#pragma once
// LoadBalancer address allocation from the configured pools, as MetalLB's controller does it:
// an address, once given, stays with its Service; after a restart the allocations are rebuilt
// from the addresses the Services already carry in status.loadBalancer.ingress; a Service may
// ask for a specific address; when no address is left the Service gets none and a reason.
// Pure: the caller keeps `previous` between calls.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/config/model.hpp"

namespace sluice::k8s {

struct allocation_request {
  std::string key;                   // "namespace/name"
  std::vector<uint32_t> current;     // status.loadBalancer.ingress IPs (network byte order)
  std::optional<uint32_t> requested; // annotation sluice.io/loadBalancerIPs
  std::string pool;                  // annotation sluice.io/address-pool; empty: any pool
};

struct allocation_result {
  std::map<std::string, uint32_t> assigned; // key → address (network byte order)
  std::map<std::string, std::string> failures; // key → why it has no address
};

// Requests are served in this order, so that no Service can take another's address: the
// address each one held in `previous`, then the one in its status, then a requested one, then
// the lowest free address of the first pool that allows it. Within a step, by key.
allocation_result allocate(const std::vector<address_pool_config>& pools,
                           const std::map<std::string, uint32_t>& previous,
                           std::vector<allocation_request> requests);

// The pool holding `addr` (network byte order), or nullptr.
const address_pool_config* pool_of(const std::vector<address_pool_config>& pools, uint32_t addr);

} // namespace sluice::k8s
