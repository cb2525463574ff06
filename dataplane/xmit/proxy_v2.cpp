#include "dataplane/xmit/proxy_v2.hpp"

#include <rte_ether.h>
#include <rte_tcp.h>

#include <cstring>

#include "dataplane/net/checksum.hpp"
#include "dataplane/net/unaligned.hpp"

namespace sluice {
namespace {

constexpr uint8_t k_signature[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                     0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
constexpr uint8_t k_version2_proxy = 0x21; // version 2, command PROXY
constexpr uint8_t k_tcp_over_ipv4 = 0x11;  // AF_INET, SOCK_STREAM
constexpr uint8_t k_opt_eol = 0, k_opt_nop = 1, k_opt_mss = 2, k_opt_sack = 5;
constexpr std::size_t k_seq = offsetof(rte_tcp_hdr, sent_seq);
constexpr std::size_t k_ack = offsetof(rte_tcp_hdr, recv_ack);
constexpr std::size_t k_csum = offsetof(rte_tcp_hdr, cksum);

// Replaces the 32-bit big-endian number at l4 + off (an even offset) and patches the checksum.
void set32(uint8_t* l4, std::size_t off, uint32_t host_value) noexcept {
  const uint32_t old = load<uint32_t>(l4 + off);
  const uint32_t now = rte_cpu_to_be_32(host_value);
  store(l4 + k_csum, csum_replace4(load<uint16_t>(l4 + k_csum), old, now));
  store(l4 + off, now);
}
uint32_t get32(const uint8_t* l4, std::size_t off) noexcept {
  return rte_be_to_cpu_32(load<uint32_t>(l4 + off));
}

void recompute_tcp_checksum(const ipv4_packet& pkt) noexcept {
  store(pkt.l4 + k_csum, uint16_t{0});
  store(pkt.l4 + k_csum, rte_ipv4_udptcp_cksum(pkt.ip, pkt.l4));
}

} // namespace

void write_proxy_v2_ipv4(uint8_t* out, uint32_t src, uint16_t sport, uint32_t dst,
                         uint16_t dport) noexcept {
  std::memcpy(out, k_signature, sizeof k_signature);
  out[12] = k_version2_proxy;
  out[13] = k_tcp_over_ipv4;
  out[14] = 0;
  out[15] = 12; // address block length
  std::memcpy(out + 16, &src, 4);
  std::memcpy(out + 20, &dst, 4);
  std::memcpy(out + 24, &sport, 2);
  std::memcpy(out + 26, &dport, 2);
}

bool proxy_forward(rte_mbuf* m, ipv4_packet& pkt, uint32_t start, const uint8_t* header,
                   uint16_t mtu) noexcept {
  const uint8_t len = k_proxy_v2_ipv4_len;
  const uint32_t seq = get32(pkt.l4, k_seq);
  const std::size_t doff = (pkt.l4[12] >> 4) * 4u;
  const std::size_t data = pkt.l4_len - doff;
  if (seq != start || data == 0) {
    const uint32_t to = proxy_seq_to_backend(seq, start, len);
    if (to != seq) set32(pkt.l4, k_seq, to);
    return true;
  }
  const uint16_t total = rte_be_to_cpu_16(pkt.ip->total_length);
  if (uint32_t{total} + len > mtu) return false;
  // Ethernet padding past the IP packet would end up inside the stream.
  const uint32_t frame = uint32_t(pkt.l4 - rte_pktmbuf_mtod(m, uint8_t*)) + pkt.l4_len;
  if (rte_pktmbuf_pkt_len(m) > frame) rte_pktmbuf_trim(m, uint16_t(rte_pktmbuf_pkt_len(m) - frame));
  if (rte_pktmbuf_append(m, len) == nullptr) return false;
  uint8_t* payload = pkt.l4 + doff;
  std::memmove(payload + len, payload, data);
  std::memcpy(payload, header, len);
  pkt.l4_len = uint16_t(pkt.l4_len + len);
  pkt.ip->total_length = rte_cpu_to_be_16(uint16_t(total + len));
  pkt.ip->hdr_checksum = 0;
  pkt.ip->hdr_checksum = rte_ipv4_cksum(pkt.ip);
  recompute_tcp_checksum(pkt);
  return true;
}

void proxy_reply(const ipv4_packet& pkt, uint32_t start, uint8_t len) noexcept {
  uint8_t* l4 = pkt.l4;
  const uint8_t flags = l4[13];
  if (flags & RTE_TCP_ACK_FLAG) {
    const uint32_t ack = get32(l4, k_ack);
    const uint32_t to = proxy_ack_to_client(ack, start, len);
    if (to != ack) set32(l4, k_ack, to);
  }
  // Options may sit at odd offsets, where an incremental patch would need byte swapping: when
  // one changes, the checksum is recomputed (SYN-ACKs and segments during loss recovery only).
  bool changed = false;
  const std::size_t end = (l4[12] >> 4) * 4u;
  for (std::size_t i = sizeof(rte_tcp_hdr); i < end;) {
    const uint8_t kind = l4[i];
    if (kind == k_opt_eol) break;
    if (kind == k_opt_nop) {
      ++i;
      continue;
    }
    if (i + 1 >= end) break;
    const uint8_t olen = l4[i + 1];
    if (olen < 2 || i + olen > end) break; // malformed: the endpoint will judge it, not us
    if (kind == k_opt_mss && olen == 4 && (flags & RTE_TCP_SYN_FLAG)) {
      const uint16_t mss = uint16_t(l4[i + 2] << 8 | l4[i + 3]);
      if (mss > len) {
        l4[i + 2] = uint8_t((mss - len) >> 8);
        l4[i + 3] = uint8_t(mss - len);
        changed = true;
      }
    } else if (kind == k_opt_sack && (olen - 2) % 4 == 0) {
      for (std::size_t e = i + 2; e < i + olen; e += 4) {
        const uint32_t edge = rte_be_to_cpu_32(load<uint32_t>(l4 + e));
        const uint32_t to = proxy_ack_to_client(edge, start, len);
        if (to != edge) {
          store(l4 + e, rte_cpu_to_be_32(to));
          changed = true;
        }
      }
    }
    i += olen;
  }
  if (changed) recompute_tcp_checksum(pkt);
}

} // namespace sluice
