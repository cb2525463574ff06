#include "control/k8s/pool.hpp"

#include <arpa/inet.h>

#include "control/k8s/pool_ledger.hpp"

namespace sluice::k8s {

const address_pool_config* pool_of(const std::vector<address_pool_config>& pools, uint32_t addr) {
  const uint32_t h = ntohl(addr);
  for (const address_pool_config& p : pools)
    for (const address_range& r : p.ranges)
      if (h >= r.first && h <= r.last) return &p;
  return nullptr;
}

allocation_result allocate(const std::vector<address_pool_config>& pools,
                           const std::map<std::string, uint32_t>& previous,
                           std::vector<allocation_request> requests) {
  pool_ledger ledger(pools);
  ledger.restore(previous, std::move(requests));
  return {ledger.assignments(), ledger.failures()};
}

} // namespace sluice::k8s
