#pragma once
// ICMP echo: the gateway answers pings to its interface addresses and its VIPs.

#include <rte_ether.h>

#include "dataplane/net/parse.hpp"

namespace sluice {

// True for a validated ICMP packet that is an echo request (type 8, code 0).
bool is_echo_request(const ipv4_packet& pkt) noexcept;

// Turns a validated echo request into its reply in place: MACs and addresses swapped, type 0,
// a fresh TTL. Checksums are patched, not recomputed over the payload.
void make_echo_reply(rte_ether_hdr* eth, const ipv4_packet& pkt) noexcept;

} // namespace sluice
