// Frames too big for the egress link, and reassembled datagrams, on their way out: cut to the
// link MTU (IPv4 fragmentation), or copied out of the reassembly buffer into a plain mbuf.

#include <rte_ether.h>
#include <rte_ip.h>

#include <algorithm>

#include "dataplane/egress/egress.hpp"
#include "dataplane/frag/fragment.hpp"

namespace sluice {

void egress::fragment_out(const snapshot& s, uint16_t iface, const ip_addr& addr,
                          rte_mbuf* m) noexcept {
  switch (addr.family()) {
  case addr_family::ipv4:
    return fragment_ipv4(s, iface, addr, m);
  case addr_family::ipv6:
    // Routers never fragment IPv6 (RFC 8200 §5), and nothing reassembles it yet.
    return drop(m, drop_reason::ip6_too_big);
  }
}

void egress::fragment_ipv4(const snapshot& s, uint16_t iface, const ip_addr& addr,
                           rte_mbuf* m) noexcept {
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint16_t mtu = mtu_[iface];
  uint16_t largest_piece = mtu;
  if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) {
    // Only a datagram reassembled from fragments that carried DF gets here with it set (TUN
    // answers its own DF case with fragmentation-needed before encapsulating). Its sender
    // fragmented it and forbade bigger pieces on the way, so it leaves cut no bigger than its
    // biggest fragment, DF on each piece, as Linux forwards a defragmented datagram
    // (ip_do_fragment with frag_max_size). Dropping it instead would black-hole the sender: a
    // frag-needed naming the link MTU tells it nothing, its fragments already fit.
    const uint16_t largest =
        frag_buffer_pool::holds_datagram(m) ? frags_.largest_fragment(m) : uint16_t(0);
    // A DF fragment bigger than the egress link itself (only from an ingress with a larger MTU).
    if (largest == 0 || largest > mtu) return drop(m, drop_reason::ip_df_too_big);
    // 68 bytes cross every link unfragmented (RFC 791), and the library cuts no finer.
    largest_piece = std::max<uint16_t>(largest, RTE_ETHER_MIN_MTU);
  }
  if (rte_pktmbuf_pkt_len(m) <= sizeof(rte_ether_hdr) + largest_piece) {
    rte_mbuf* copy = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
    if (copy == nullptr) return drop(m, drop_reason::fragment_no_mbuf);
    rte_pktmbuf_free(m);
    return to_next_hop(s, iface, addr, copy);
  }
  rte_mbuf* out[k_max_out_fragments];
  const int n = fragment_frame(m, largest_piece, pool_, out, k_max_out_fragments);
  if (n < 0) return drop(m, drop_reason::fragment_no_mbuf);
  counters_.datagrams_fragmented.add();
  counters_.fragments_sent.add(unsigned(n));
  for (int i = 0; i < n; ++i) to_next_hop(s, iface, addr, out[i]);
}

} // namespace sluice
