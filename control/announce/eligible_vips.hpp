#pragma once
// Which VIPs this appliance may announce (BGP, and ARP ownership for L2): a VIP is eligible
// while at least one of its services has a backend that can take new connections. Announcing a
// VIP with no usable backend would pull traffic to an appliance that can only drop it.

#include <cstdint>
#include <vector>

#include "control/config/model.hpp"
#include "control/health/health_state.hpp"

namespace sluice {

// The eligible VIPs of `c` (network byte order), each once, ascending. A backend can take new
// connections when its weight is above 0 (weight 0 drains it, as in IPVS) and, given `health`,
// its health check does not hold it down (health::eligible()).
std::vector<uint32_t> eligible_vips(const config& c, const health::health_table* health = nullptr);

} // namespace sluice
