#pragma once
// ICMP echo: the gateway answers pings to its interface addresses and its VIPs.

#include <rte_ether.h>

#include "dataplane/net/parse.hpp"
#include "dataplane/net/parse_ipv6.hpp"

namespace sluice {

// True for a validated ICMP packet that is an echo request (type 8, code 0).
bool is_echo_request(const ipv4_packet& pkt) noexcept;

// Turns a validated echo request into its reply in place: MACs and addresses swapped, type 0,
// a fresh TTL. Checksums are patched, not recomputed over the payload.
void make_echo_reply(rte_ether_hdr* eth, const ipv4_packet& pkt) noexcept;

// True for a validated ICMPv6 packet that is an echo request (type 128, code 0).
bool is_echo_request(const ipv6_packet& pkt) noexcept;

// Turns a validated ICMPv6 echo request in `frame` (Ethernet first) into its reply: MACs and
// addresses swapped, type 129, a fresh hop limit, the checksum patched. The request's extension
// headers are not sent back: the Ethernet and IPv6 headers move forward over them, and the
// return value is how many bytes the frame now starts later (0 without extension headers).
uint32_t make_echo_reply(uint8_t* frame, const ipv6_packet& pkt) noexcept;

} // namespace sluice
