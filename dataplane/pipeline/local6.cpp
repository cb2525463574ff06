// IPv6 local delivery: what an IPv6 packet to the appliance gets. Neighbor Solicitations for
// its addresses are answered (and their senders learnt, as ARP requests are), Neighbor
// Advertisements resolve the next hops the egress solicited, echo requests are answered. Nothing
// else IPv6 is served yet.

#include <rte_ether.h>

#include <cstring>

#include "dataplane/icmp/echo.hpp"
#include "dataplane/ndp/ndp.hpp"
#include "dataplane/net/ipv6.hpp"
#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {
namespace {

constexpr ipv6_bytes k_all_nodes = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

// A neighbour of the link: in the interface's prefix, or link-local.
bool on_link(const snapshot_iface& f, const uint8_t* addr) noexcept {
  return f.has_ipv6() &&
         (same_prefix6(addr, f.addr6.data(), f.prefix6) || is_link_local6(addr));
}

rte_ether_addr mac_at(const uint8_t* p) noexcept {
  rte_ether_addr mac;
  std::memcpy(mac.addr_bytes, p, RTE_ETHER_ADDR_LEN);
  return mac;
}

void handle_advertisement(pipeline_state& st, const snapshot& s, uint16_t in_iface,
                          rte_mbuf* m, const ndp_message& msg) noexcept {
  const ip_addr target = ip_addr::ipv6(msg.target);
  // An advertisement updates an entry the cache has, never creates one (RFC 4861 §7.2.5): the
  // cache holds what the appliance sends to, not what others announce.
  if (msg.link_addr == nullptr || !st.out.resolving(in_iface, target))
    return st.out.drop(m, drop_reason::ndp_unsolicited);
  st.out.share_neighbour(s, in_iface, target, mac_at(msg.link_addr));
  st.counters.ndp_advertisements_received.add();
  rte_pktmbuf_free(m);
}

void handle_solicitation(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                         const ipv6_packet& p, const ndp_message& msg) noexcept {
  // Each address is answered only on the link it lives on, as ARP does.
  if (!s.local_addrs.find_ipv6(msg.target).lives_on(in_iface))
    return st.out.drop(m, drop_reason::ndp_not_for_us);
  const snapshot_iface& f = s.ifaces[in_iface];
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  // What the reply needs, read before it is written over the request.
  ipv6_bytes target, dst;
  std::memcpy(target.data(), msg.target, 16);
  std::memcpy(dst.data(), p.ip->src_addr, 16);
  rte_ether_addr dst_mac = msg.link_addr != nullptr ? mac_at(msg.link_addr) : eth->src_addr;
  // A solicitation from the unspecified address is duplicate address detection: the answer goes
  // to all nodes, unsolicited (RFC 4861 §7.2.4).
  const bool detecting = is_unspecified6(dst.data());
  if (detecting) {
    dst = k_all_nodes;
    multicast_mac6(dst.data(), dst_mac.addr_bytes);
  } else if (msg.link_addr != nullptr && on_link(f, dst.data())) {
    st.out.share_neighbour(s, in_iface, ip_addr::ipv6(dst), dst_mac);
  }
  if (rte_pktmbuf_data_len(m) + rte_pktmbuf_tailroom(m) < k_ndp_frame_len)
    return st.out.drop(m, drop_reason::ndp_malformed); // not from a real NIC's buffer
  m->data_len = uint16_t(k_ndp_frame_len);
  m->pkt_len = k_ndp_frame_len;
  write_neighbor_advertisement(rte_pktmbuf_mtod(m, uint8_t*), f.mac, target.data(), dst_mac,
                               dst.data(), !detecting);
  st.counters.ndp_advertisements_sent.add();
  st.out.to_port(in_iface, m);
}

void handle_ndp(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept {
  ndp_message msg;
  if (const auto bad = validate_ndp(c.pkt6, msg)) return st.out.drop(c.m, *bad);
  if (c.pkt6.l4[0] == k_icmp6_neighbor_advertisement)
    return handle_advertisement(st, s, c.in_iface, c.m, msg);
  handle_solicitation(st, s, c.in_iface, c.m, c.pkt6, msg);
}

} // namespace

void deliver_locally_ipv6(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept {
  rte_mbuf* m = c.m;
  const ipv6_packet& p = c.pkt6;
  if (is_multicast6(p.ip->dst_addr)) {
    if (is_solicited_node6(p.ip->dst_addr) && is_ndp(p) &&
        p.l4[0] == k_icmp6_neighbor_solicitation)
      return handle_ndp(st, s, c);
    return st.out.drop(m, drop_reason::ip6_multicast_unsupported);
  }
  // Unicast to a multicast frame address: not ours, whatever the IPv6 header says.
  if (rte_is_multicast_ether_addr(&rte_pktmbuf_mtod(m, const rte_ether_hdr*)->dst_addr))
    return st.out.drop(m, drop_reason::not_our_mac);
  if (is_ndp(p)) return handle_ndp(st, s, c);
  if (!c.destination(s)) return st.out.drop(m, drop_reason::ip6_not_local);
  if (p.proto == k_ipproto_icmpv6) {
    if (!is_echo_request(p)) return st.out.drop(m, drop_reason::icmp_unsupported);
    if (!l4_checksum_ok(p)) return st.out.drop(m, drop_reason::l4_bad_checksum);
    if (!st.icmp_limit.allow(st.now)) return st.out.drop(m, drop_reason::icmp_rate_limited);
    const ip_addr to = c.src();
    if (const uint32_t moved = make_echo_reply(rte_pktmbuf_mtod(m, uint8_t*), p))
      rte_pktmbuf_adj(m, uint16_t(moved));
    st.counters.icmp_echo_replies.add();
    // By the routes and the neighbour cache, as a host answers: the requester's MAC was learnt
    // from its solicitation, or is solicited now.
    return st.out.route_out(s, m, to);
  }
  if (p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP)
    return st.out.drop(m, drop_reason::local_delivery_unsupported);
  st.out.drop(m, drop_reason::proto_unsupported);
}

} // namespace sluice::pipeline
