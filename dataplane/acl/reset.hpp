#pragma once
// The TCP RST an ACL deny with `reply: rst` sends: the offending segment turned, in place, into
// the reset RFC 793 (3.4, "Reset Generation") prescribes, from its destination back to its
// source. Pure bytes: no mbuf, so the unit tests drive it directly.

#include <cstdint>

#include "dataplane/net/parse.hpp"

namespace sluice {

// Rewrites `p` (a validated TCP packet) into the reset; returns its new IPv4 total length (the
// caller trims the frame to it). If the segment carried ACK, the reset has seq = its ack number
// and only RST set; otherwise seq 0, ack = its seq + its length (SYN and FIN count one), RST|ACK.
// TTL 64, TCP options and payload dropped, both checksums recomputed.
uint16_t make_tcp_reset(ipv4_packet& p) noexcept;

} // namespace sluice
