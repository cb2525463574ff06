// ICMP errors about tracked NAT and full-NAT flows (icmp/error.hpp): found through the quoted
// packet, translated, and sent on to the other side of the flow by the worker owning it.

#include <rte_ether.h>

#include "dataplane/icmp/error.hpp"
#include "dataplane/icmp/unreachable.hpp"
#include "dataplane/net/unaligned.hpp"
#include "dataplane/pipeline/stages.hpp"
#include "dataplane/xmit/fnat.hpp"

namespace sluice::pipeline {

unsigned icmp_error_owner(const pipeline_state& st, const snapshot& s, const uint8_t* icmp,
                          uint32_t len) noexcept {
  // The quoted packet is one we sent; whichever of its endpoints is the client (or the local
  // port, for full-NAT towards the backend) names the owner, as for the packet itself.
  constexpr uint32_t k_quote = 8;
  if (len < k_quote + sizeof(rte_ipv4_hdr) + 8) return st.id;
  const uint8_t* ip = icmp + k_quote;
  const uint32_t ihl = (ip[0] & 0x0f) * 4u;
  if (ihl < sizeof(rte_ipv4_hdr) || k_quote + ihl + 4 > len) return st.id;
  const uint32_t src = load<uint32_t>(ip + offsetof(rte_ipv4_hdr, src_addr));
  const uint32_t dst = load<uint32_t>(ip + offsetof(rte_ipv4_hdr, dst_addr));
  const local_address local = s.local_addrs.find_ipv4(src);
  if (!local) return flow_owner(src, st.workers); // NAT, client -> backend
  if (local.is(local_kind::vip)) return flow_owner(dst, st.workers);
  return fnat_port_owner(load<uint16_t>(ip + ihl), st.workers); // full-NAT, local -> backend
}

void handle_icmp_error(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                       ipv4_packet& p) noexcept {
  if (!l4_checksum_ok(p)) return st.out.drop(m, drop_reason::l4_bad_checksum);
  icmp_quote q;
  if (const auto bad = parse_icmp_quote(p, q)) return st.out.drop(m, *bad);
  const auto hit = st.flows.lookup(q.reversed);
  if (!hit) {
    // About a connection of the kernel twin's (port unreachable, fragmentation needed).
    if (s.local_addrs.find_ipv4(p.ip->dst_addr).is(local_kind::iface_address))
      return st.out.to_kernel(in_iface, m, drop_reason::no_flow);
    return st.out.drop(m, drop_reason::no_flow);
  }
  // No ICMP is ever sent about an ICMP error (RFC 1122 3.2.2): an expiring one just ends here.
  if (p.ip->time_to_live <= 1) return st.out.drop(m, drop_reason::ip_ttl_exceeded);
  const flow& f = st.flows.at(hit->index);
  translate_icmp_error(p, q, f, hit->dir);
  st.counters.icmp_errors_forwarded.add();
  st.out.route_out(s, m, f.destination(hit->dir));
}

void send_icmp_error(pipeline_state& st, const snapshot& s, const rte_ipv4_hdr* offending,
                     uint32_t src, uint8_t type, uint8_t code, uint32_t rest) noexcept {
  if (!st.icmp_limit.allow(st.now)) return st.counters.icmp_errors_rate_limited.add();
  rte_mbuf* m = rte_pktmbuf_alloc(st.out.pool());
  if (m == nullptr) return; // the sender retransmits and gets another chance
  constexpr uint16_t k_max = sizeof(rte_ether_hdr) + k_frag_needed_max_len;
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, k_max));
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  const std::size_t len =
      write_icmp_error(reinterpret_cast<uint8_t*>(eth + 1), offending, src, type, code, rest);
  rte_pktmbuf_trim(m, uint16_t(k_frag_needed_max_len - len));
  st.counters.icmp_errors_sent.add();
  st.out.route_out(s, m, ip_addr::ipv4(offending->src_addr));
}

bool ttl_expired(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                 const ipv4_packet& p) noexcept {
  if (p.ip->time_to_live > 1) return false;
  // RFC 1812 4.3.2.4 / 5.3.1: time exceeded from the interface the packet came in on (the
  // caller never passes an ICMP error, fragments never get this far).
  send_icmp_error(st, s, p.ip, s.ifaces[in_iface].addr, k_icmp_time_exceeded, 0, 0);
  st.out.drop(m, drop_reason::ip_ttl_exceeded);
  return true;
}

void send_frag_needed(pipeline_state& st, const snapshot& s, const rte_ipv4_hdr* offending,
                      uint16_t mtu) noexcept {
  // From the address the client sent to (the VIP), as Linux's icmp_send does for a local one.
  send_icmp_error(st, s, offending, offending->dst_addr, k_icmp_dest_unreachable,
                  k_icmp_frag_needed, rte_cpu_to_be_32(mtu));
}

} // namespace sluice::pipeline
