// The burst's flow lookup, decided: one bulk confirmation of the probes the parse stage
// prepared, then hits go to their flows (established.cpp) and misses are resolved, screened by
// the ACLs and scheduled together (miss.cpp).

#include <bit>

#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {

void forward_flows(pipeline_state& st, const snapshot& s, packet_desc* c,
                   const flow_table::probe* probes, unsigned n) noexcept {
  flow_hit hits[k_burst];
  // Also leaves the found flows' records in cache (the lookup confirms keys against them).
  const uint64_t found = st.flows.confirm_bulk(probes, n, hits);
  uint64_t consumed = 0; // misses to a VIP port without a service
  for (unsigned i = 0; i < n; ++i)
    if (!(found & (uint64_t{1} << i)) && !resolve_destination(st, s, c[i]))
      consumed |= uint64_t{1} << i;
  bool admitted[k_burst];
  if (s.acl != nullptr) acl_screen(st, s, c, n, found | consumed, admitted);
  // The burst's new NAT and full-NAT flows are scheduled before any is inserted: a flow's reply
  // tuple is known only once its backend (and for full-NAT its local endpoint) is chosen, and the
  // home buckets of all of them load together instead of one at each insert (a cold read that
  // was ~10 % of a new flow's cost at 1M flows).
  uint64_t opening = 0; // misses with a service, admitted
  const uint64_t decided = found | consumed;
  static_assert(k_burst < 64, "burst masks are 64-bit");
  if (decided != (uint64_t{1} << n) - 1)
    for (unsigned i = 0; i < n; ++i)
      if (!(decided >> i & 1) && c[i].service != nullptr && (s.acl == nullptr || admitted[i]))
        opening |= uint64_t{1} << i;
  const uint64_t plans = opening != 0 ? plan_new_flows(st, s, c, probes, n, opening) : 0;
  const uint64_t created_before = st.ledger.opened_so_far();
  const uint64_t erased_before = st.flows.erasures();
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    if (found & bit) {
      if (st.flows.erasures() == erased_before) {
        forward_on_flow(st, s, c[i], hits[i].index, hits[i].dir, false);
        continue;
      }
      // An earlier packet of this burst erased a flow (a reused tuple), whose slot a flow opened
      // since may hold: the hit is looked up again, and if its flow is gone it is a miss decided
      // on its own, as it would have been in a burst of its own.
      if (const auto hit = st.flows.lookup(probes[i].key))
        forward_on_flow(st, s, c[i], hit->index, hit->dir, false);
      else if (resolve_destination(st, s, c[i]) &&
               (c[i].service == nullptr || s.acl == nullptr || acl_admit(st, s, c[i])))
        forward_miss(st, s, c[i], probes[i].key, created_before);
      continue;
    }
    if (consumed & bit) continue;                   // resolve_destination() dropped and counted it
    if (s.acl != nullptr && !admitted[i]) continue; // acl_screen() dropped and counted it
    forward_miss(st, s, c[i], probes[i].key, created_before,
                 plans & bit ? &st.planned[i] : nullptr);
  }
}

} // namespace sluice::pipeline
