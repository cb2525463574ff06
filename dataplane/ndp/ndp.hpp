#pragma once
// IPv6 Neighbor Discovery (RFC 4861), the part a host needs: Neighbor Solicitations and
// Advertisements validated, and written. Pure functions on bytes, like arp/arp.hpp: the local
// delivery stage answers and learns with them, the egress solicits with them.

#include <rte_ether.h>

#include <cstdint>
#include <optional>

#include "dataplane/net/parse_ipv6.hpp"
#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

inline constexpr uint8_t k_icmp6_echo_request = 128;
inline constexpr uint8_t k_icmp6_echo_reply = 129;
inline constexpr uint8_t k_icmp6_neighbor_solicitation = 135;
inline constexpr uint8_t k_icmp6_neighbor_advertisement = 136;
// Every Neighbor Discovery message is sent, and must arrive, with this hop limit: proof that no
// router forwarded it (RFC 4861 §7.1).
inline constexpr uint8_t k_ndp_hop_limit = 255;
// Neighbor Advertisement flags, in the first byte after the checksum.
inline constexpr uint8_t k_na_router = 0x80;
inline constexpr uint8_t k_na_solicited = 0x40;
inline constexpr uint8_t k_na_override = 0x20;

// Ethernet + IPv6 + a solicitation or advertisement with one link-layer address option: the
// frames write_neighbor_solicitation() and write_neighbor_advertisement() make.
inline constexpr uint32_t k_ndp_frame_len = 14 + 40 + 24 + 8;

// A validated solicitation or advertisement.
struct ndp_message {
  const uint8_t* target = nullptr;   // the target address's 16 bytes
  const uint8_t* link_addr = nullptr; // the source (NS) or target (NA) link-layer address, or null
  uint8_t flags = 0;                 // NA: k_na_* bits
};

// True for a Neighbor Solicitation or Advertisement (of any code: validate_ndp() checks it).
inline bool is_ndp(const ipv6_packet& pkt) noexcept {
  return pkt.proto == k_ipproto_icmpv6 && (pkt.l4[0] == k_icmp6_neighbor_solicitation ||
                                           pkt.l4[0] == k_icmp6_neighbor_advertisement);
}

// Validates a solicitation or advertisement (is_ndp()) per RFC 4861 §7.1.1 and §7.1.2, in order:
// hop limit 255 (ndp_bad_hop_limit), ICMPv6 checksum (l4_bad_checksum), code 0 (ndp_bad_code),
// at least 24 bytes (ndp_malformed), target not multicast (ndp_target_multicast), every option
// of non-zero length within the message (ndp_malformed); a solicitation from the unspecified
// address must go to a solicited-node group and carry no source link-layer option, an
// advertisement to a multicast group must not have the solicited flag (ndp_malformed).
// Returns nullopt and fills `out` when valid.
std::optional<drop_reason> validate_ndp(const ipv6_packet& pkt, ndp_message& out) noexcept;

// Writes at `frame` (k_ndp_frame_len bytes) a Neighbor Advertisement for `target` (ours, its
// source address) from `mac`, to `dst` at `dst_mac`, with the override flag, the solicited flag
// when `solicited`, and the target link-layer address option.
void write_neighbor_advertisement(uint8_t* frame, const rte_ether_addr& mac, const uint8_t* target,
                                  const rte_ether_addr& dst_mac, const uint8_t* dst,
                                  bool solicited) noexcept;

// Writes at `frame` (k_ndp_frame_len bytes) a Neighbor Solicitation for `target` from `src`
// (the interface's address) at `mac`, to the target's solicited-node group, with the source
// link-layer address option.
void write_neighbor_solicitation(uint8_t* frame, const rte_ether_addr& mac, const uint8_t* src,
                                 const uint8_t* target) noexcept;

} // namespace sluice
