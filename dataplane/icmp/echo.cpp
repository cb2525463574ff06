#include "dataplane/icmp/echo.hpp"

#include <rte_icmp.h>

#include <cstring>

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
  uint16_t old_word;
  std::memcpy(&old_word, &ip->time_to_live, sizeof old_word);
  ip->time_to_live = k_reply_ttl;
  uint16_t new_word;
  std::memcpy(&new_word, &ip->time_to_live, sizeof new_word);
  ip->hdr_checksum = csum_replace2(ip->hdr_checksum, old_word, new_word);

  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(pkt.l4);
  uint16_t old_type;
  std::memcpy(&old_type, &icmp->icmp_type, sizeof old_type);
  icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
  uint16_t new_type;
  std::memcpy(&new_type, &icmp->icmp_type, sizeof new_type);
  icmp->icmp_cksum = csum_replace2(icmp->icmp_cksum, old_type, new_type);
}

} // namespace sluice
