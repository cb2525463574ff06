// rte_ipv4_fragment_copy_nonseg_packet() is experimental in DPDK 22.11. It is used rather than
// rte_ipv4_fragment_packet() because it copies into plain one-segment mbufs: no indirect pool,
// no multi-segment frames for PMDs, the neighbour queue or the tests to handle, and the
// reassembly buffer goes back to its pool at once instead of when the last fragment is sent.
#define ALLOW_EXPERIMENTAL_API 1

#include "dataplane/frag/fragment.hpp"

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include <cerrno>

namespace sluice {

int fragment_frame(rte_mbuf* m, uint16_t mtu, rte_mempool* pool, rte_mbuf** out,
                   uint16_t max_out) noexcept {
  if (rte_pktmbuf_adj(m, sizeof(rte_ether_hdr)) == nullptr) return -EINVAL;
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
  const uint16_t header_len = uint16_t((ip->version_ihl & 0x0f) * 4u);
  // The library refuses DF datagrams outright; DF goes back onto each fragment below.
  const rte_be16_t df = ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  ip->fragment_offset &= rte_cpu_to_be_16(uint16_t(~RTE_IPV4_HDR_DF_FLAG));
  // Every fragment but the last carries a multiple of 8 bytes; with IP options the payload room
  // of an MTU-sized fragment is not one, and the library refuses such an MTU.
  const uint16_t usable = uint16_t(header_len + ((mtu - header_len) & ~7u));
  const int32_t n = rte_ipv4_fragment_copy_nonseg_packet(m, out, max_out, usable, pool);
  if (n < 0) {
    ip->fragment_offset |= df;
    rte_pktmbuf_prepend(m, sizeof(rte_ether_hdr)); // gives back the bytes adj() skipped
    return n;
  }
  for (int32_t i = 0; i < n; ++i) {
    auto* frag_ip = rte_pktmbuf_mtod(out[i], rte_ipv4_hdr*);
    frag_ip->fragment_offset |= df;
    frag_ip->hdr_checksum = 0;
    frag_ip->hdr_checksum = rte_ipv4_cksum(frag_ip);
    // Fragments start with the IP header and the library leaves the pool's headroom in front.
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(out[i], sizeof(rte_ether_hdr)));
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  }
  rte_pktmbuf_free(m);
  return n;
}

} // namespace sluice
