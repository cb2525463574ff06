#pragma once
// The transport-header checks both IP families share (net/parse.hpp, net/parse_ipv6.hpp).

#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <cstdint>
#include <optional>

#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

// Checks that the TCP, UDP or ICMP header (`icmp_proto`: the family's ICMP, 1 or 58) at `l4`,
// the IP payload of `l4_len` bytes, is complete and self-consistent (l4_truncated,
// l4_malformed). Other protocols pass unchecked. Every ICMP and ICMPv6 message has at least
// 8 bytes: its 4-byte header and 4 of body.
inline std::optional<drop_reason> check_transport_header(uint8_t proto, const uint8_t* l4,
                                                         uint32_t l4_len,
                                                         uint8_t icmp_proto) noexcept {
  if (proto == IPPROTO_TCP) {
    if (l4_len < sizeof(rte_tcp_hdr)) return drop_reason::l4_truncated;
    const auto* tcp = reinterpret_cast<const rte_tcp_hdr*>(l4);
    const unsigned data_off = (tcp->data_off >> 4) * 4u;
    if (data_off < sizeof(rte_tcp_hdr) || data_off > l4_len) return drop_reason::l4_malformed;
    return std::nullopt;
  }
  if (proto == IPPROTO_UDP) {
    if (l4_len < sizeof(rte_udp_hdr)) return drop_reason::l4_truncated;
    const auto* udp = reinterpret_cast<const rte_udp_hdr*>(l4);
    // The pseudo-header checksum covers the IP payload, so the two lengths must agree.
    if (rte_be_to_cpu_16(udp->dgram_len) != l4_len) return drop_reason::l4_malformed;
    return std::nullopt;
  }
  if (proto == icmp_proto && l4_len < sizeof(rte_icmp_hdr)) return drop_reason::l4_truncated;
  return std::nullopt;
}

} // namespace sluice
