#include "dataplane/flow/half_open_limit.hpp"

namespace sluice {

void half_open_limit::evict_oldest(flow_table& flows, flow_ledger& ledger) noexcept {
  const uint32_t index = flows.oldest_half_open();
  if (index == half_open_list::k_none) return;
  ledger.ends(flows.at(index));
  flows.erase(index);
  ledger.evicted_half_open();
}

} // namespace sluice
