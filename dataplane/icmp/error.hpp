#pragma once
// ICMP errors about tracked flows (RFC 792 destination unreachable, including RFC 1191
// fragmentation-needed, and time exceeded; RFC 5508 section 7 describes what a NAT owes them):
// the error quotes the offending packet's IP header and at least 8 bytes of its L4 header,
// which is all the flow lookup needs (both ports are in the first 4 bytes).
//
// The quoted packet is one the gateway sent, so its tuple reversed is a tuple the gateway
// tracks: a packet sent towards a backend (client or local address -> backend) reversed is the
// flow's reply key, so the error goes back to the client; a packet sent to a client (VIP ->
// client) reversed is the forward key, so the error goes on to the backend. Both the outer and
// the quoted headers are then rewritten as if the error had been about the packet the other side
// sent (IPVS ip_vs_nat_icmp, netfilter's nf_nat_icmp_reply_translation).

#include <cstdint>
#include <optional>

#include "dataplane/flow/flow.hpp"
#include "dataplane/net/parse.hpp"
#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

inline constexpr uint8_t k_icmp_dest_unreachable = 3;
inline constexpr uint8_t k_icmp_time_exceeded = 11;
// Destination unreachable codes the gateway sends (RFC 792, RFC 1812 5.2.7.1).
inline constexpr uint8_t k_icmp_frag_needed = 4;
inline constexpr uint8_t k_icmp_admin_prohibited = 13;

// True for a validated ICMP packet whose type is one this module translates.
bool is_icmp_error(const ipv4_packet& pkt) noexcept;

// The quoted packet inside a validated ICMP error.
struct icmp_quote {
  uint8_t* ip;      // the quoted IPv4 header
  uint8_t* l4;      // its first L4 bytes
  uint16_t l4_len;  // how many of them are quoted (>= 8)
  flow_key reversed; // the quoted tuple, source and destination swapped: a key we may track
};

// Parses the quote (icmp_error_malformed when it is not IPv4 TCP/UDP with a complete header and
// 8 bytes of L4). Pure function on bytes.
std::optional<drop_reason> parse_icmp_quote(const ipv4_packet& pkt, icmp_quote& out) noexcept;

// Rewrites an error travelling towards `dir`'s destination side of flow `f`:
// flow_dir::reply — towards the client: outer src := VIP, outer dst := client, quote src :=
//   client:port, quote dst := VIP:port (the client's own packet, as it sent it);
// flow_dir::forward — towards the backend: outer dst := backend, outer src := the local address
//   (fnat; NAT keeps it), quote src := backend:port, quote dst := the local or client endpoint.
// For a full-NAT flow with a PROXY v2 header the quoted TCP sequence number (towards the
// client) or acknowledgement (towards the backend, when quoted) is mapped back by the header's
// length, as the data path maps it. The outer TTL is decremented; the outer and quoted IP header checksums, a quoted UDP checksum
// and a quoted TCP checksum when enough is quoted to hold it, and the ICMP checksum are kept
// valid. Requires TTL > 1.
void translate_icmp_error(const ipv4_packet& pkt, const icmp_quote& q, const flow& f,
                          flow_dir dir) noexcept;

} // namespace sluice
