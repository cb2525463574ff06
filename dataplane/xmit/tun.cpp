#include "dataplane/xmit/tun.hpp"

#include <rte_ether.h>

#include <cstring>

#include "dataplane/xmit/nat.hpp"

namespace sluice {
namespace {

constexpr uint8_t k_ecn_mask = 0x03;
constexpr uint8_t k_ecn_ce = 0x03;
constexpr uint8_t k_ecn_ect0 = 0x02;

// RFC 6040 section 4.1, normal mode: the outer ECN field copies the inner one, except that CE is
// not copied (it would be seen as congestion on the tunnel and then lost at decapsulation).
uint8_t outer_tos(uint8_t inner) noexcept {
  return (inner & k_ecn_mask) == k_ecn_ce ? uint8_t((inner & ~k_ecn_mask) | k_ecn_ect0) : inner;
}

} // namespace

bool tun_fits(const rte_ipv4_hdr* inner, uint16_t mtu) noexcept {
  return uint32_t{rte_be_to_cpu_16(inner->total_length)} + k_ipip_overhead <= mtu;
}

void write_ipip_header(uint8_t* out, const rte_ipv4_hdr* inner, const ipip_outer& o) noexcept {
  rte_ipv4_hdr h{};
  h.version_ihl = RTE_IPV4_VHL_DEF; // version 4, 20 bytes: the outer header has no options
  h.type_of_service = outer_tos(inner->type_of_service);
  h.total_length = rte_cpu_to_be_16(uint16_t(rte_be_to_cpu_16(inner->total_length) + k_ipip_overhead));
  h.packet_id = rte_cpu_to_be_16(o.id);
  // DF only; the inner packet is never a fragment (parse_ipv4 refuses them).
  h.fragment_offset = inner->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  h.time_to_live = inner->time_to_live;
  h.next_proto_id = k_ipproto_ipip;
  h.src_addr = o.src;
  h.dst_addr = o.dst;
  h.hdr_checksum = static_cast<uint16_t>(~rte_raw_cksum(&h, sizeof h));
  std::memcpy(out, &h, sizeof h);
}

bool tun_encapsulate(rte_mbuf* m, const ipv4_packet& inner, const ipip_outer& o) noexcept {
  // Trailing Ethernet padding would otherwise sit between the inner packet's end and the frame's.
  const uint32_t frame_len =
      sizeof(rte_ether_hdr) + uint32_t{rte_be_to_cpu_16(inner.ip->total_length)};
  if (rte_pktmbuf_pkt_len(m) > frame_len)
    rte_pktmbuf_trim(m, uint16_t(rte_pktmbuf_pkt_len(m) - frame_len));
  // The frame keeps its start; the new bytes in front become the Ethernet header and the first
  // six bytes of the outer header, whose other 14 overwrite the old Ethernet header.
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, k_ipip_overhead));
  if (eth == nullptr) return false;
  decrement_ttl(inner.ip);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  write_ipip_header(reinterpret_cast<uint8_t*>(eth + 1), inner.ip, o);
  return true;
}

} // namespace sluice
