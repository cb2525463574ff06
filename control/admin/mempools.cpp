#include "control/admin/mempools.hpp"

namespace sluice {

std::vector<const rte_mempool*> process_mempools() {
  std::vector<const rte_mempool*> pools;
  rte_mempool_walk(
      [](rte_mempool* mp, void* arg) {
        static_cast<std::vector<const rte_mempool*>*>(arg)->push_back(mp);
      },
      &pools);
  return pools;
}

std::vector<api::mempool_report> mempool_usage(std::span<const rte_mempool* const> pools) {
  std::vector<api::mempool_report> out;
  out.reserve(pools.size());
  for (const rte_mempool* mp : pools)
    out.push_back({.name = mp->name, .size = mp->size, .in_use = rte_mempool_in_use_count(mp)});
  return out;
}

} // namespace sluice
