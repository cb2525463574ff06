#pragma once
// NAT rewrites (IPVS "Masq"): the forward direction replaces the destination VIP:port with the
// backend's, the reply direction replaces the backend's source with VIP:port. Both update the
// IPv4 header checksum and the TCP/UDP checksum incrementally (the pseudo-header covers the
// addresses) and decrement the TTL, as a router forwarding the packet must.

#include <cstdint>

#include "dataplane/net/parse.hpp"

namespace sluice {

// The endpoint written into a packet: address and port in network byte order.
struct endpoint {
  uint32_t addr;
  uint16_t port;
};

// Requires a TCP or UDP packet that passed parse_ipv4() and check_l4_header(), and TTL > 1.
void nat_rewrite_destination(const ipv4_packet& pkt, endpoint to) noexcept;
void nat_rewrite_source(const ipv4_packet& pkt, endpoint to) noexcept;

// The same rewrites without the TTL decrement, for a stage that changes both ends of a packet
// in one hop (full-NAT).
void rewrite_destination_endpoint(const ipv4_packet& pkt, endpoint to) noexcept;
void rewrite_source_endpoint(const ipv4_packet& pkt, endpoint to) noexcept;

// Decrements the TTL and patches the header checksum. Requires TTL > 1.
void decrement_ttl(rte_ipv4_hdr* ip) noexcept;

} // namespace sluice
