// ICMPv6 echo (RFC 4443 §4): the gateway answers pings to its IPv6 interface addresses.

#include <rte_byteorder.h>
#include <rte_ether.h>

#include <cstring>

#include "dataplane/icmp/echo.hpp"
#include "dataplane/ndp/ndp.hpp"
#include "dataplane/net/checksum.hpp"

namespace sluice {
namespace {
constexpr uint8_t k_reply_hop_limit = 64;
}

bool is_echo_request(const ipv6_packet& pkt) noexcept {
  return pkt.proto == k_ipproto_icmpv6 && pkt.l4[0] == k_icmp6_echo_request && pkt.l4[1] == 0;
}

uint32_t make_echo_reply(uint8_t* frame, const ipv6_packet& pkt) noexcept {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
  rte_ether_addr mac = eth->src_addr;
  eth->src_addr = eth->dst_addr;
  eth->dst_addr = mac;
  rte_ipv6_hdr* ip = pkt.ip;
  // Swapping the addresses leaves the pseudo-header's sum, and so the checksum, unchanged.
  uint8_t src[16];
  std::memcpy(src, ip->src_addr, 16);
  std::memcpy(ip->src_addr, ip->dst_addr, 16);
  std::memcpy(ip->dst_addr, src, 16);
  ip->hop_limits = k_reply_hop_limit;
  set_byte_patch_checksum(pkt.l4, k_icmp6_echo_reply, pkt.l4 + 2);

  const uint32_t ext = pkt.l4_offset - sizeof(rte_ipv6_hdr);
  if (ext == 0) return 0;
  ip->proto = k_ipproto_icmpv6;
  ip->payload_len = rte_cpu_to_be_16(pkt.l4_len);
  constexpr uint32_t k_headers = sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr);
  std::memmove(frame + ext, frame, k_headers);
  return ext;
}

} // namespace sluice
