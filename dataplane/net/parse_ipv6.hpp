#pragma once
// Validation of IPv6 headers on raw bytes: the fixed header, then a bounded walk over the
// extension headers to the transport header. Pure functions: no mbufs, no EAL, so the unit tests
// and the fuzz target drive exactly the code the workers run.

#include <rte_ip.h>

#include <cstdint>
#include <optional>

#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

inline constexpr uint8_t k_ipproto_icmpv6 = 58;

// Extension headers walked before the transport header; a longer chain is dropped
// (ip6_ext_chain_too_long). Real traffic carries at most two or three (RFC 8200 §4.1 lists
// six kinds, each at most once but destination options twice); the bound caps the work a
// crafted packet can make the walk do.
inline constexpr unsigned k_max_ipv6_ext_headers = 8;

// A validated IPv6 packet: the fixed header is complete, its payload length fits the frame,
// every extension header before the transport header is complete and acceptable, and
// `l4`/`l4_len` cover exactly what follows them within the payload length (Ethernet padding
// excluded). `proto` is the first next-header value that is not an extension header walked
// here (TCP, UDP, ICMPv6, no-next-header, ESP, AH...).
// No default member initialisers: the parse stage keeps a burst's descriptors uninitialised
// (pipeline/packet.hpp), and an IPv4 packet's would otherwise pay for zeroing this view.
struct ipv6_packet {
  rte_ipv6_hdr* ip;
  uint8_t* l4;
  uint16_t l4_len;
  uint16_t l4_offset; // from the start of the IPv6 header: 40 plus the extension headers
  uint8_t proto;
  uint8_t ext_headers; // how many were walked
};

// Validates the IPv6 packet at `data` (`len` bytes of frame after the Ethernet header).
// Checks, in order: the fixed header fits (ip6_truncated), version (ip6_bad_version), payload
// length non-zero and within the frame (ip6_bad_payload_length); then for each extension header
// (hop-by-hop 0, routing 43, fragment 44, destination options 60): at most
// k_max_ipv6_ext_headers (ip6_ext_chain_too_long), hop-by-hop only first (ip6_ext_misplaced),
// complete within the payload (ip6_ext_truncated), a routing header neither of type 0
// (ip6_routing_type0) nor with segments left (ip6_routing_unsupported), a fragment header
// that is an atomic fragment (offset 0, no more fragments: RFC 6946) else ip6_fragment.
// Returns nullopt and fills `out` when valid.
std::optional<drop_reason> parse_ipv6(uint8_t* data, uint32_t len, ipv6_packet& out) noexcept;

// Checks that the TCP, UDP or ICMPv6 header is complete and self-consistent (l4_truncated,
// l4_malformed). Other protocols pass unchecked.
std::optional<drop_reason> check_l4_header(const ipv6_packet& pkt) noexcept;

// Verifies the TCP/UDP/ICMPv6 checksum (pseudo-header included, RFC 8200 §8.1) in software. A
// UDP checksum of zero is invalid over IPv6 and fails. Requires check_l4_header() to have passed.
bool l4_checksum_ok(const ipv6_packet& pkt) noexcept;

// The IPv6 upper-layer checksum of `len` bytes at `l4` (its checksum field included) between
// `src` and `dst`: the field to store when the field held zero, 0 when it already holds.
uint16_t ipv6_l4_checksum(const uint8_t* src, const uint8_t* dst, uint8_t proto,
                          const uint8_t* l4, uint32_t len) noexcept;

} // namespace sluice
