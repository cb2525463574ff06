#include "dataplane/xmit/nat.hpp"

#include <rte_tcp.h>
#include <rte_udp.h>

#include <cstddef>

#include "dataplane/net/checksum.hpp"
#include "dataplane/net/unaligned.hpp"

namespace sluice {
namespace {

constexpr std::size_t k_ip_src = offsetof(rte_ipv4_hdr, src_addr);
constexpr std::size_t k_ip_dst = offsetof(rte_ipv4_hdr, dst_addr);
constexpr std::size_t k_ip_csum = offsetof(rte_ipv4_hdr, hdr_checksum);
constexpr std::size_t k_ip_ttl = offsetof(rte_ipv4_hdr, time_to_live);
// TCP and UDP both start with the source port, then the destination port.
constexpr std::size_t k_l4_sport = 0;
constexpr std::size_t k_l4_dport = 2;

// Offset of the L4 checksum, or 0 for a UDP datagram sent without one (which must stay without
// one: patching a zero would turn "no checksum" into a wrong checksum).
std::size_t l4_checksum_offset(const ipv4_packet& pkt) noexcept {
  if (pkt.proto == IPPROTO_TCP) return offsetof(rte_tcp_hdr, cksum);
  constexpr std::size_t udp = offsetof(rte_udp_hdr, dgram_cksum);
  return load<uint16_t>(pkt.l4 + udp) == 0 ? 0 : udp;
}

// Rewrites one address (at `addr_off` in the IP header) and port (at `port_off` in the L4
// header), decrements the TTL when `hop` says so, and patches both checksums, each with one
// fold: this runs for every forwarded packet.
void rewrite(const ipv4_packet& pkt, std::size_t addr_off, std::size_t port_off, endpoint to,
             bool hop) noexcept {
  auto* ip = reinterpret_cast<uint8_t*>(pkt.ip);
  const uint32_t old_addr = load<uint32_t>(ip + addr_off);
  const uint16_t old_port = load<uint16_t>(pkt.l4 + port_off);
  const uint64_t addr_change = csum_change4(old_addr, to.addr);
  uint64_t ip_change = addr_change;
  if (hop) {
    // TTL shares a 16-bit word with the protocol number.
    const uint16_t old_word = load<uint16_t>(ip + k_ip_ttl);
    const auto ttl = uint8_t(ip[k_ip_ttl] - 1);
    ip_change += csum_change2(old_word, with_first_byte(old_word, ttl));
    ip[k_ip_ttl] = ttl;
  }
  store(ip + k_ip_csum, csum_apply(load<uint16_t>(ip + k_ip_csum), ip_change));
  if (const std::size_t off = l4_checksum_offset(pkt)) {
    uint16_t c = csum_apply(load<uint16_t>(pkt.l4 + off),
                            addr_change + csum_change2(old_port, to.port));
    // RFC 768: a computed UDP checksum of zero is sent as all ones.
    if (pkt.proto == IPPROTO_UDP && c == 0) c = 0xffff;
    store(pkt.l4 + off, c);
  }
  store(ip + addr_off, to.addr);
  store(pkt.l4 + port_off, to.port);
}

} // namespace

void decrement_ttl(rte_ipv4_hdr* hdr) noexcept {
  auto* ip = reinterpret_cast<uint8_t*>(hdr);
  // TTL shares a 16-bit checksum word with the protocol number.
  set_byte_patch_checksum(ip + k_ip_ttl, uint8_t(ip[k_ip_ttl] - 1), ip + k_ip_csum);
}

void rewrite_destination_endpoint(const ipv4_packet& pkt, endpoint to) noexcept {
  rewrite(pkt, k_ip_dst, k_l4_dport, to, false);
}

void rewrite_source_endpoint(const ipv4_packet& pkt, endpoint to) noexcept {
  rewrite(pkt, k_ip_src, k_l4_sport, to, false);
}

void nat_rewrite_destination(const ipv4_packet& pkt, endpoint to) noexcept {
  rewrite(pkt, k_ip_dst, k_l4_dport, to, true);
}

void nat_rewrite_source(const ipv4_packet& pkt, endpoint to) noexcept {
  rewrite(pkt, k_ip_src, k_l4_sport, to, true);
}

} // namespace sluice
