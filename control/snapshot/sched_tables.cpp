#include "control/snapshot/sched_tables.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "control/snapshot/buckets.hpp"
#include "control/snapshot/maglev.hpp"

namespace sluice {

void compile_scheduler(const service_config& sc, uint32_t maglev_table_size, service_block& block,
                       snapshot_service& svc) {
  svc.weight_total = 0;
  svc.max_weight = 0;
  svc.weight_gcd = 0;
  std::vector<uint16_t> weights;
  for (const snapshot_backend& b : block.backends) {
    const uint16_t w = b.weight;
    weights.push_back(w);
    svc.weight_total += w;
    svc.max_weight = std::max(svc.max_weight, w);
    svc.weight_gcd = uint16_t(std::gcd(svc.weight_gcd, w));
    block.weight_prefix.push_back(svc.weight_total);
  }

  std::vector<uint32_t>& table = block.table;
  switch (sc.scheduler) {
  case scheduler_kind::sh:
  case scheduler_kind::dh:
    table = weighted_buckets(weights, hash_bucket_count(weights.size()));
    break;
  case scheduler_kind::mh:
    if (svc.max_weight > 0) {
      // Populate in identity order, not config order: two appliances whose configs list the
      // same backends differently still build the same table.
      std::vector<std::pair<std::string, uint32_t>> by_identity;
      for (uint32_t i = 0; i < sc.backends.size(); ++i)
        by_identity.emplace_back(maglev_identity(sc.backends[i].addr, sc.backends[i].port), i);
      std::sort(by_identity.begin(), by_identity.end());
      std::vector<maglev_backend> perms;
      for (const auto& [identity, i] : by_identity)
        perms.push_back(maglev_permutation(identity, maglev_table_size, block.backends[i].weight));
      table = maglev_table(perms, maglev_table_size);
      for (uint32_t& e : table) e = by_identity[e].second;
    }
    break;
  default:
    break;
  }
  svc.table_size = uint32_t(table.size());
}

} // namespace sluice
