#pragma once
// TUN forwarding (IPVS "Tunnel"): the client's IPv4 packet is carried to the backend inside an
// outer IPv4 header (protocol 4, IPIP, RFC 2003). The backend decapsulates, owns the VIP on a
// loopback and answers the client directly, so the port cannot change (backend port = VIP port).
//
// The outer header follows Linux IPVS (ip_vs_tunnel_xmit): source = the outgoing interface's
// address, destination = the backend, DF copied from the inner header, DSCP copied and ECN
// encapsulated per RFC 6040 (CE becomes ECT(0) outside), TTL = the inner TTL after this hop's
// decrement. Copying the TTL rather than a fixed 64 keeps a routing loop of tunnels finite (the
// inner TTL reaches 1 and classify() stops it) and lets traceroute from the client count hops.

#include <rte_ip.h>
#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/net/parse.hpp"

namespace sluice {

inline constexpr uint8_t k_ipproto_ipip = 4;
inline constexpr uint16_t k_ipip_overhead = sizeof(rte_ipv4_hdr);

struct ipip_outer {
  uint32_t src; // network byte order
  uint32_t dst; // network byte order
  uint16_t id;  // host byte order; written big-endian
};

// True when `inner` (a packet validated by parse_ipv4) still fits in `mtu` once encapsulated.
bool tun_fits(const rte_ipv4_hdr* inner, uint16_t mtu) noexcept;

// Writes the 20-byte outer header for `inner`, whose header must already be final (TTL
// decremented). Pure function on bytes: `out` needs 20 writable bytes and may not overlap inner.
void write_ipip_header(uint8_t* out, const rte_ipv4_hdr* inner, const ipip_outer& outer) noexcept;

// Encapsulates the frame in `m` (Ethernet + the validated packet `inner`, single segment):
// drops Ethernet padding after the inner total length, decrements the inner TTL and prepends the
// outer header in the mbuf's headroom, keeping 14 bytes in front for the Ethernet header (its
// type is set; the addresses are left to the neighbour layer). Returns false, with the frame
// unchanged but for its padding, when the headroom is short of 20 bytes. Requires TTL > 1.
bool tun_encapsulate(rte_mbuf* m, const ipv4_packet& inner, const ipip_outer& outer) noexcept;

} // namespace sluice
