#pragma once
// ICMP errors the gateway originates: fragmentation needed (type 3 code 4, RFC 1191) for a DF
// packet that a tunnel would make too big for the link, time exceeded (type 11 code 0) for a
// packet whose TTL ends here, administratively prohibited (type 3 code 13) for a flow an ACL
// denies.

#include <rte_ip.h>

#include <cstddef>
#include <cstdint>

namespace sluice {

// IP header, ICMP header, the offending IP header with the most options, 8 bytes of its data.
inline constexpr std::size_t k_frag_needed_max_len = 20 + 8 + 60 + 8;

// Writes, at `out`, an IPv4 packet from `src` to the offending packet's source: ICMP type 3 code
// 4 with `next_hop_mtu`, quoting the offending IP header (options included) exactly as received
// plus the first 8 bytes of its payload (fewer when it has fewer), as RFC 792 asks. The header
// carries TOS 0xc0 (RFC 1812 5.3.2: precedence 6 for ICMP errors), TTL 64, ID 0 and no DF.
// `offending` must be a packet validated by parse_ipv4(). Returns the bytes written, at most
// k_frag_needed_max_len.
std::size_t write_frag_needed(uint8_t* out, const rte_ipv4_hdr* offending, uint32_t src,
                              uint16_t next_hop_mtu) noexcept;

// The same for any ICMP error: `type`, `code` and the 4 bytes after the checksum (`rest`, as
// they go on the wire: the next-hop MTU of frag-needed, zero otherwise). Also at most
// k_frag_needed_max_len bytes.
std::size_t write_icmp_error(uint8_t* out, const rte_ipv4_hdr* offending, uint32_t src,
                             uint8_t type, uint8_t code, uint32_t rest) noexcept;

} // namespace sluice
