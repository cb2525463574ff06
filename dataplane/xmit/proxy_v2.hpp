#pragma once
// PROXY protocol v2 (haproxy's proxy-protocol.txt, section 2.2) for full-NAT TCP services with
// `proxy_protocol: v2`: the backend, which sees only the gateway's local address, learns the
// client's address and port from a 28-byte binary header in front of the client's byte stream.
//
// Where the header goes: into the client's first data segment (the one whose sequence number is
// the client's ISN + 1), not into a segment of the gateway's own. A segment of its own would need
// the gateway to retransmit it when lost; inside the client's segment it is retransmitted by the
// client's own TCP, since every copy of that segment gets the header again. The cost: a
// server-speaks-first protocol (SMTP, MySQL) never sends the header, because the client sends
// nothing until the server has spoken; such services must not enable proxy_protocol.
//
// Everything after the header is shifted by 28 bytes in the backend's view of the client's
// sequence space: client -> backend sequence numbers gain 28, backend -> client acknowledgements
// and SACK block edges lose 28 (SACK is kept: stripping SACK-permitted would cost every
// connection its loss recovery). The MSS the backend announces in its SYN-ACK is lowered by 28,
// so that the client's first segment still fits the link MTU once the header is inside.

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>

#include "dataplane/net/parse.hpp"

namespace sluice {

inline constexpr uint8_t k_proxy_v2_ipv4_len = 28; // 16-byte preamble + 12 bytes of addresses

// Writes the header for a TCP/IPv4 connection from src:sport to dst:dport (network byte order)
// at `out` (28 bytes).
void write_proxy_v2_ipv4(uint8_t* out, uint32_t src, uint16_t sport, uint32_t dst,
                         uint16_t dport) noexcept;

// The stream offset a client sequence number has in the backend's view, given `start` (client
// ISN + 1, where the header goes) and the header length. Sequence numbers at or before start are
// unchanged (the SYN, the header-carrying segment, pure ACKs before any data).
constexpr uint32_t proxy_seq_to_backend(uint32_t seq, uint32_t start, uint8_t len) noexcept {
  return int32_t(seq - start) > 0 ? seq + len : seq;
}
// The client's view of a backend acknowledgement (or SACK edge): the header's bytes are
// acknowledged as `start`, everything after it loses the header length.
constexpr uint32_t proxy_ack_to_client(uint32_t ack, uint32_t start, uint8_t len) noexcept {
  const int32_t d = int32_t(ack - start);
  if (d <= 0) return ack;
  return d <= len ? start : ack - len;
}

// Client -> backend segment of a proxied flow (validated TCP): a data segment at `start` gets
// the header inserted (the frame grows; IP total length and both checksums are recomputed),
// later segments get their sequence number shifted (checksum patched). Returns false when a
// header insertion finds no tailroom or would exceed `mtu`: the caller drops the segment, and
// the client's retransmission gets another try.
bool proxy_forward(rte_mbuf* m, ipv4_packet& pkt, uint32_t start, const uint8_t* header,
                   uint16_t mtu) noexcept;

// Backend -> client segment of a proxied flow: acknowledgement and SACK edges mapped back, the
// MSS option of a SYN-ACK lowered by the header length; checksum patched. Works on bytes.
void proxy_reply(const ipv4_packet& pkt, uint32_t start, uint8_t len) noexcept;

} // namespace sluice
