#include "dataplane/icmp/echo.hpp"

#include <rte_icmp.h>

#include <cstddef>

#include "dataplane/net/checksum.hpp"

namespace sluice {
namespace {
constexpr uint8_t k_reply_ttl = 64;
}

bool is_echo_request(const ipv4_packet& pkt) noexcept {
  const auto* icmp = reinterpret_cast<const rte_icmp_hdr*>(pkt.l4);
  return pkt.proto == IPPROTO_ICMP && icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST &&
         icmp->icmp_code == 0;
}

void make_echo_reply(rte_ether_hdr* eth, const ipv4_packet& pkt) noexcept {
  rte_ether_addr mac = eth->src_addr;
  eth->src_addr = eth->dst_addr;
  eth->dst_addr = mac;
  rte_ipv4_hdr* ip = pkt.ip;
  // Swapping the addresses leaves the header sum unchanged; only the TTL word changes.
  const rte_be32_t src = ip->src_addr;
  ip->src_addr = ip->dst_addr;
  ip->dst_addr = src;
  auto* hdr = reinterpret_cast<uint8_t*>(ip);
  uint8_t* ttl = hdr + offsetof(rte_ipv4_hdr, time_to_live); // shares a word with the protocol
  set_byte_patch_checksum(ttl, k_reply_ttl, hdr + offsetof(rte_ipv4_hdr, hdr_checksum));
  uint8_t* type = pkt.l4 + offsetof(rte_icmp_hdr, icmp_type); // shares a word with the code
  set_byte_patch_checksum(type, RTE_IP_ICMP_ECHO_REPLY,
                          pkt.l4 + offsetof(rte_icmp_hdr, icmp_cksum));
}

} // namespace sluice
