#pragma once
// Validation of IPv4 and L4 headers on raw bytes. Pure functions: no mbufs, no EAL, so the unit
// tests and the fuzz target drive exactly the code the workers run.

#include <rte_ip.h>

#include <cstdint>
#include <optional>

#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

// A validated IPv4 packet: the header is complete, its checksum holds, it is not a fragment,
// and `l4`/`l4_len` cover exactly the payload announced by total_length (Ethernet padding
// beyond total_length is excluded).
struct ipv4_packet {
  rte_ipv4_hdr* ip = nullptr;
  uint8_t* l4 = nullptr;
  uint16_t l4_len = 0;
  uint8_t proto = 0;
};

// Who vouches for the IPv4 header checksum: nobody (parse_ipv4 sums the header itself), or the
// NIC that received exactly these bytes (its RX checksum offload verdict, trusted as the L4 one
// is). Only bytes as they came off the wire have a NIC verdict; a header Sluice built or
// rewrote (a reassembled datagram) has none.
enum class header_checksum : uint8_t { unverified, nic_good, nic_bad };

// Validates the IPv4 header at `data` (`len` bytes of frame after the Ethernet header).
// Checks, in order: header fits (ip_truncated), version (ip_bad_version), IHL >= 5
// (ip_bad_ihl), options fit in the frame (ip_truncated), total length fits in the frame
// (ip_bad_total_length), header within total length (ip_bad_ihl), header checksum
// (ip_bad_checksum: summed in software when `checksum` is unverified, else the NIC's verdict),
// fragment (ip_fragment: the header is valid, the caller may reassemble;
// pipeline/reassemble.cpp). Returns nullopt and fills `out` when valid.
std::optional<drop_reason> parse_ipv4(uint8_t* data, uint32_t len, ipv4_packet& out,
                                      header_checksum checksum = header_checksum::unverified) noexcept;

// Checks that the TCP, UDP or ICMP header is complete and self-consistent (l4_truncated,
// l4_malformed). Other protocols pass unchecked.
std::optional<drop_reason> check_l4_header(const ipv4_packet& pkt) noexcept;

// Verifies the TCP/UDP (pseudo-header included) or ICMP checksum in software. A UDP checksum
// of zero means "none" (RFC 768) and passes. Requires check_l4_header() to have passed.
bool l4_checksum_ok(const ipv4_packet& pkt) noexcept;

} // namespace sluice
