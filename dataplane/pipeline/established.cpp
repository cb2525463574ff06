// A packet on its flow: checked, its TCP state advanced, its traffic counted, then rewritten
// by its flow's forwarding mode (rewrite_*.cpp). A SYN reusing the tuple of a closing flow
// goes back to the miss path.

#include "dataplane/pipeline/rewrite_nat.hpp"
#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {

void end_reused_flow(pipeline_state& st, uint32_t index) noexcept {
  st.ledger.ends(st.flows.at(index));
  st.flows.erase(index);
  st.ledger.ended_early();
}

void set_state(pipeline_state& st, flow& f, flow_state next) noexcept {
  if (f.state == next) return;
  st.ledger.state_changes(f, next);
  const bool shorter = st.flows.timeout_tsc(next) < st.flows.timeout_tsc(f.state);
  f.state = next;
  // The flow's timer stands at its old deadline; a longer timeout is found when it comes due,
  // a shorter one (FIN, RST, an ACL reset) must not wait for it.
  if (shorter) st.flows.rearm(f);
}

void forward_on_flow(pipeline_state& st, const snapshot& s, packet_desc& c, uint32_t index,
                     flow_dir dir, bool checksum_verified) noexcept {
  flow& f = st.flows.at(index);
  const uint8_t flags = tcp_flags(c.pkt);
  // Only segments that change TCP state are verified on established flows: the incremental
  // rewrite keeps a corrupt checksum corrupt, so the endpoint still drops such a packet, and a
  // full sum over every payload would cost more than the whole rest of the forwarding.
  if (!checksum_verified && (flags & (k_tcp_syn | k_tcp_fin | k_tcp_rst)) &&
      !l4_checksum_valid(c.m, c.pkt))
    return st.out.drop(c.m, drop_reason::l4_bad_checksum);
  if (dir == flow_dir::forward && f.proto == IPPROTO_TCP && is_tuple_reuse(f.state, flags)) {
    // The client reuses the tuple of a closing connection: schedule it afresh.
    end_reused_flow(st, index);
    if (!resolve_destination(st, s, c)) return;
    // Its VIP is gone: the old flow was all that still took it.
    if (c.service == nullptr) return st.out.drop(c.m, drop_reason::no_service);
    if (s.acl != nullptr && !acl_admit(st, s, c)) return;
    return open_flow(st, s, c);
  }
  if (f.acl_hold != 0 && !acl_on_flow(st, s, c, f, dir)) return;
  if (f.proto == IPPROTO_TCP) set_state(st, f, next_tcp_state(f.state, dir, flags));
  f.last_seen = st.now;

  st.ledger.carried(f, dir, rte_pktmbuf_pkt_len(c.m));
  switch (f.mode) {
  case forwarding::nat:
    return forward_nat(st, s, c, f, dir);
  case forwarding::fnat:
    return forward_fnat(st, s, c, f, dir);
  case forwarding::dr:
    return forward_dr(st, s, c, f);
  case forwarding::tun:
    return forward_tun(st, s, c, f);
  }
}

} // namespace sluice::pipeline
