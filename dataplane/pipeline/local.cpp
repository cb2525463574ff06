// Local delivery: what is addressed to the appliance itself rather than forwarded on a flow —
// ARP for its addresses, ICMP echo, TCP/UDP whose TTL ends here — answered by the dataplane or
// handed to the interface's kernel twin (the exception path).

#include <rte_ether.h>

#include <bit>

#include "dataplane/arp/arp.hpp"
#include "dataplane/icmp/echo.hpp"
#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {

void deliver_locally(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept {
  rte_mbuf* m = c.m;
  const ipv4_packet& p = c.pkt;
  const uint16_t in_iface = c.in_iface;
  const bool is_tcp_udp = p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP;
  const local_address local = c.destination(s);
  if (!local) {
    if (!is_tcp_udp) return st.out.drop(m, drop_reason::no_flow);
    ttl_expired(st, s, in_iface, m, p);
    return;
  }
  // For the interface's own address, what the dataplane neither answers nor forwards is the
  // kernel's (exception path); to_kernel() drops it with the reason given when there is none.
  const bool kernels = local.is(local_kind::iface_address);
  if (p.proto == IPPROTO_ICMP) {
    if (!is_echo_request(p)) {
      if (kernels) return st.out.to_kernel(in_iface, m, drop_reason::icmp_unsupported);
      return st.out.drop(m, drop_reason::icmp_unsupported);
    }
    if (!l4_checksum_ok(p)) return st.out.drop(m, drop_reason::l4_bad_checksum);
    if (!st.icmp_limit.allow(st.now)) return st.out.drop(m, drop_reason::icmp_rate_limited);
    make_echo_reply(rte_pktmbuf_mtod(m, rte_ether_hdr*), p);
    st.counters.icmp_echo_replies.add();
    return st.out.to_port(in_iface, m);
  }
  if (!is_tcp_udp) {
    if (kernels) return st.out.to_kernel(in_iface, m, drop_reason::proto_unsupported);
    return st.out.drop(m, drop_reason::proto_unsupported);
  }
  // TCP/UDP whose TTL ends here. Delivered, not forwarded: a TTL of 1 is fine for the
  // interface's own address (eBGP peers send exactly that).
  if (kernels && st.out.has_kernel_twin(in_iface))
    return st.out.to_kernel(in_iface, m, drop_reason::local_delivery_unsupported);
  // A VIP port without a service still has the flows of a removed one draining (this worker's,
  // steering brings the client's packets to their owner): theirs are answered as they were while
  // the service lived. Only a TTL-1 packet to such a port pays for the lookup.
  if (local.is(local_kind::vip) && vip_service_of(s, p) == nullptr &&
      !st.flows.lookup(std::bit_cast<flow_key>(key_of(c))))
    return st.out.drop(m, drop_reason::no_service);
  ttl_expired(st, s, in_iface, m, p);
}

void handle_arp(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  const snapshot_iface& f = s.ifaces[in_iface];
  const uint32_t sender_v4 = arp->arp_data.arp_sip;
  const bool sender_on_link =
      sender_v4 != 0 && (sender_v4 & f.netmask) == (f.addr & f.netmask);
  const ip_addr sender = ip_addr::ipv4(sender_v4);
  const local_address local = s.local_addrs.find_ipv4(arp->arp_data.arp_tip);
  // Each address is answered only on the link it lives on (interface address, or VIP in that
  // interface's subnet).
  const bool ours = local.lives_on(in_iface);

  if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY)) {
    if (sender_on_link) st.out.share_neighbour(s, in_iface, sender, arp->arp_data.arp_sha);
    st.counters.arp_replies_received.add();
    // The kernel twin resolves its own neighbours: it gets every reply to the interface's
    // address (the dataplane answers requests itself, so the kernel never learns from those).
    if (ours && local.is(local_kind::iface_address) && st.out.has_kernel_twin(in_iface))
      return st.out.to_kernel(in_iface, m, drop_reason::arp_not_for_us);
    rte_pktmbuf_free(m);
    return;
  }
  if (!ours) {
    // Someone else's request still proves the sender's MAC if we were already waiting for it.
    if (sender_on_link && st.out.resolving(in_iface, sender))
      st.out.share_neighbour(s, in_iface, sender, arp->arp_data.arp_sha);
    return st.out.drop(m, drop_reason::arp_not_for_us);
  }
  if (sender_on_link) st.out.share_neighbour(s, in_iface, sender, arp->arp_data.arp_sha);
  make_arp_reply(eth, arp, f.mac);
  st.counters.arp_replies_sent.add();
  st.out.to_port(in_iface, m);
}

} // namespace sluice::pipeline
