#include "dataplane/net/parse_ipv6.hpp"

#include <rte_byteorder.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/net/checksum.hpp"
#include "dataplane/net/parse_l4.hpp"

namespace sluice {
namespace {

// Next-header values of the extension headers the walk steps over (RFC 8200 §4).
constexpr uint8_t k_hop_by_hop = 0;
constexpr uint8_t k_routing = 43;
constexpr uint8_t k_fragment = 44;
constexpr uint8_t k_dest_options = 60;

constexpr uint32_t k_fragment_header_len = 8;
constexpr uint16_t k_fragment_offset_mask = 0xfff8; // offset in 8-byte units, bits 15..3
constexpr uint16_t k_more_fragments = 0x0001;

} // namespace

std::optional<drop_reason> parse_ipv6(uint8_t* data, uint32_t len, ipv6_packet& out) noexcept {
  if (len < sizeof(rte_ipv6_hdr)) return drop_reason::ip6_truncated;
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(data);
  if ((data[0] >> 4) != 6) return drop_reason::ip6_bad_version;
  const uint32_t payload_len = rte_be_to_cpu_16(ip->payload_len);
  // Zero announces a jumbogram (RFC 2675), which no Ethernet link carries.
  if (payload_len == 0 || payload_len > len - sizeof(rte_ipv6_hdr))
    return drop_reason::ip6_bad_payload_length;

  const uint32_t end = sizeof(rte_ipv6_hdr) + payload_len;
  uint32_t at = sizeof(rte_ipv6_hdr);
  uint8_t next = ip->proto;
  unsigned walked = 0;
  for (;;) {
    if (next != k_hop_by_hop && next != k_routing && next != k_fragment && next != k_dest_options)
      break;
    if (walked == k_max_ipv6_ext_headers) return drop_reason::ip6_ext_chain_too_long;
    if (next == k_hop_by_hop && walked != 0) return drop_reason::ip6_ext_misplaced;
    // Every extension header starts with next header and, but for the fragment header, its
    // length in 8-byte units beyond the first 8.
    if (end - at < 8) return drop_reason::ip6_ext_truncated;
    const uint8_t* h = data + at;
    const uint32_t h_len = next == k_fragment ? k_fragment_header_len : (h[1] + 1u) * 8u;
    if (h_len > end - at) return drop_reason::ip6_ext_truncated;
    if (next == k_routing) {
      const uint8_t type = h[2], segments_left = h[3];
      if (type == 0) return drop_reason::ip6_routing_type0;
      if (segments_left != 0) return drop_reason::ip6_routing_unsupported;
    } else if (next == k_fragment) {
      const uint16_t off_flags = uint16_t(h[2] << 8 | h[3]);
      if (off_flags & (k_fragment_offset_mask | k_more_fragments)) return drop_reason::ip6_fragment;
    }
    next = h[0];
    at += h_len;
    ++walked;
  }

  out.ip = ip;
  out.l4 = data + at;
  out.l4_len = static_cast<uint16_t>(end - at);
  out.l4_offset = static_cast<uint16_t>(at);
  out.proto = next;
  out.ext_headers = static_cast<uint8_t>(walked);
  return std::nullopt;
}

std::optional<drop_reason> check_l4_header(const ipv6_packet& pkt) noexcept {
  return check_transport_header(pkt.proto, pkt.l4, pkt.l4_len, k_ipproto_icmpv6);
}

uint16_t ipv6_l4_checksum(const uint8_t* src, const uint8_t* dst, uint8_t proto,
                          const uint8_t* l4, uint32_t len) noexcept {
  // The pseudo-header's length and next header as the two 32-bit words they are on the wire.
  const uint32_t tail[2] = {rte_cpu_to_be_32(len), rte_cpu_to_be_32(proto)};
  uint32_t sum = rte_raw_cksum(src, 16);
  sum += rte_raw_cksum(dst, 16);
  sum += rte_raw_cksum(tail, sizeof tail);
  sum = csum_fold(sum);
  sum += rte_raw_cksum(l4, len);
  return static_cast<uint16_t>(~csum_fold(sum));
}

bool l4_checksum_ok(const ipv6_packet& pkt) noexcept {
  switch (pkt.proto) {
  case IPPROTO_TCP:
  case IPPROTO_UDP: // zero is no exemption over IPv6 (RFC 8200 §8.1)
  case k_ipproto_icmpv6:
    return ipv6_l4_checksum(pkt.ip->src_addr, pkt.ip->dst_addr, pkt.proto, pkt.l4, pkt.l4_len) == 0;
  default:
    return true;
  }
}

} // namespace sluice
