#pragma once
// ARP for IPv4 over Ethernet (RFC 826): validation, in-place replies and request construction.

#include <rte_arp.h>
#include <rte_ether.h>

#include <cstdint>
#include <optional>

#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

// Size of an ARP request as we send it: Ethernet header plus ARP body (the NIC pads to 60).
inline constexpr uint16_t k_arp_frame_len = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);

// Validates an ARP packet at `data` (`len` bytes after the Ethernet header): Ethernet hardware,
// IPv4 protocol, 6/4 address lengths, request or reply. Returns nullopt when valid.
std::optional<drop_reason> parse_arp(const uint8_t* data, uint32_t len) noexcept;

// Turns a request into its reply in place, answering that `our_ip` is at `our_mac`.
void make_arp_reply(rte_ether_hdr* eth, rte_arp_hdr* arp, const rte_ether_addr& our_mac) noexcept;

// Writes a broadcast who-has `target` request from (our_mac, our_ip) into `frame`, which must
// hold k_arp_frame_len bytes.
void write_arp_request(uint8_t* frame, const rte_ether_addr& our_mac, uint32_t our_ip,
                       uint32_t target) noexcept;

} // namespace sluice
