// ACLs on the worker: new flows are decided in bulk before they are scheduled; a flow waiting for
// its payload is decided on its first payload-bearing packet (or when its hold runs out); the
// verdict then lives in flow::acl_hold, so a decided flow's packets never look at an ACL again.

#include <rte_ether.h>
#include <rte_tcp.h>

#include "dataplane/acl/evaluate.hpp"
#include "dataplane/acl/hold.hpp"
#include "dataplane/acl/reset.hpp"
#include "dataplane/icmp/error.hpp"
#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {
namespace {

static_assert(k_burst <= k_acl_burst_max);

acl_worker_ctx acl_ctx(pipeline_state& st) noexcept {
  return {st.id, st.stats.acl_hits.get(), st.stats.acl_slot_count, &st.counters.acl_scans};
}

// Drops a denied packet, counted, after sending the rule's reply.
void acl_reject(pipeline_state& st, const snapshot& s, packet_desc& c, acl_reply reply) noexcept {
  st.counters.drop(drop_reason::acl_denied);
  if (reply == acl_reply::rst && c.pkt.proto == IPPROTO_TCP &&
      !(reinterpret_cast<const rte_tcp_hdr*>(c.pkt.l4)->tcp_flags & k_tcp_rst)) {
    // The offending segment becomes the reset: no allocation.
    const uint16_t total = make_tcp_reset(c.pkt);
    rte_pktmbuf_trim(c.m, uint16_t(rte_pktmbuf_pkt_len(c.m) - sizeof(rte_ether_hdr) - total));
    return st.out.route_out(s, c.m, c.dst());
  }
  // Administratively prohibited (RFC 1812 5.2.7.1), under the worker's ICMP rate limit like
  // every ICMP message it originates: a flood of denied SYNs must not become a flood of replies.
  if (reply == acl_reply::icmp)
    send_icmp_error(st, s, c.pkt.ip, c.pkt.ip->dst_addr, k_icmp_dest_unreachable,
                    k_icmp_admin_prohibited, 0);
  rte_pktmbuf_free(c.m);
}

acl_flow_input input_of(const snapshot& s, const acl_snapshot& acl, const ipv4_packet& p,
                        const snapshot_service* service) noexcept {
  const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
  acl_flow_input in{};
  in.key = {.proto = p.proto,
            .pad = {},
            .src = p.ip->src_addr,
            .dst = p.ip->dst_addr,
            .src_port = ports[0],
            .dst_port = ports[1]};
  in.list = &acl.by_service[std::size_t(service - s.services.data())];
  uint32_t header = 8; // UDP
  if (p.proto == IPPROTO_TCP)
    header = uint32_t(reinterpret_cast<const rte_tcp_hdr*>(p.l4)->data_off >> 4) * 4;
  in.payload = p.l4 + header;
  in.payload_len = p.l4_len > header ? p.l4_len - header : 0;
  in.can_wait = p.proto == IPPROTO_TCP && in.payload_len == 0;
  return in;
}

} // namespace

void acl_screen(pipeline_state& st, const snapshot& s, packet_desc* c, unsigned n, uint64_t found,
                bool* admitted) noexcept {
  const acl_snapshot& acl = *s.acl;
  acl_flow_input in[k_burst];
  uint8_t who[k_burst];
  unsigned m = 0;
  for (unsigned i = 0; i < n; ++i) {
    admitted[i] = true;
    c[i].acl_hold = k_acl_allowed;
    if ((found & (uint64_t{1} << i)) || c[i].service == nullptr) continue;
    // Only what open_flow() would open: a TCP segment without a lone SYN is refused there.
    if (c[i].pkt.proto == IPPROTO_TCP &&
        (reinterpret_cast<const rte_tcp_hdr*>(c[i].pkt.l4)->tcp_flags &
         (k_tcp_syn | k_tcp_ack | k_tcp_rst)) != k_tcp_syn)
      continue;
    who[m] = uint8_t(i);
    in[m++] = input_of(s, acl, c[i].pkt, c[i].service);
  }
  if (m == 0) return;
  acl_decision d[k_burst];
  acl_decide_burst(acl, in, m, d, acl_ctx(st));
  for (unsigned j = 0; j < m; ++j) {
    packet_desc& ci = c[who[j]];
    ci.acl_rule = d[j].rule_slot;
    if (d[j].outcome == acl_outcome::pending) {
      ci.acl_hold = acl.initial_hold;
    } else if (d[j].outcome == acl_outcome::deny) {
      admitted[who[j]] = false;
      acl_reject(st, s, ci, d[j].reply);
    }
  }
}

bool acl_admit(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept {
  bool admitted = true;
  acl_screen(st, s, &c, 1, 0, &admitted);
  return admitted;
}

bool acl_on_flow(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f,
                 flow_dir dir) noexcept {
  if (f.acl_hold == k_acl_denied) {
    st.out.drop(c.m, drop_reason::acl_denied);
    return false;
  }
  // Pending: replies (the SYN-ACK) pass; the client's packets are what the rules judge.
  if (dir == flow_dir::reply) return true;
  // The service or every ACL went away since the flow opened: nothing is left to wait for.
  const snapshot_service* service = s.acl != nullptr ? vip_service_of(s, c.pkt) : nullptr;
  if (service == nullptr) {
    f.acl_hold = k_acl_allowed;
    return true;
  }
  acl_flow_input in = input_of(s, *s.acl, c.pkt, service);
  in.can_wait = in.can_wait && f.acl_hold > 1;
  const acl_decision d = acl_decide_one(*s.acl, in, acl_ctx(st));
  c.acl_rule = d.rule_slot;
  switch (d.outcome) {
  case acl_outcome::pending:
    --f.acl_hold;
    return true;
  case acl_outcome::allow:
    f.acl_hold = k_acl_allowed;
    return true;
  case acl_outcome::deny:
    break;
  }
  f.acl_hold = k_acl_denied;
  // The backend already holds the connection; the flow expires on the short close timeout.
  if (f.proto == IPPROTO_TCP) set_state(st, f, flow_state::tcp_close);
  acl_reject(st, s, c, d.reply);
  return false;
}

} // namespace sluice::pipeline
