#include "dataplane/ndp/ndp.hpp"

#include <rte_byteorder.h>
#include <rte_ip.h>

#include <cstring>

#include "dataplane/net/ipv6.hpp"
#include "dataplane/net/unaligned.hpp"

namespace sluice {
namespace {

constexpr uint32_t k_ndp_body_len = 24;     // type, code, checksum, flags/reserved, target
constexpr uint8_t k_option_source_ll = 1;
constexpr uint8_t k_option_target_ll = 2;
constexpr uint32_t k_ll_option_len = 8;     // type, length (1 unit of 8), a MAC

// Writes Ethernet, IPv6 and the ICMPv6 message of `type` with `flags`, `target` and a
// link-layer option of `option` carrying `mac`; the checksum last.
void write_ndp(uint8_t* frame, const rte_ether_addr& mac, const rte_ether_addr& dst_mac,
               const uint8_t* src, const uint8_t* dst, uint8_t type, uint8_t flags,
               const uint8_t* target, uint8_t option) noexcept {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
  eth->dst_addr = dst_mac;
  eth->src_addr = mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
  ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
  ip->payload_len = rte_cpu_to_be_16(k_ndp_body_len + k_ll_option_len);
  ip->proto = k_ipproto_icmpv6;
  ip->hop_limits = k_ndp_hop_limit;
  std::memcpy(ip->src_addr, src, 16);
  std::memcpy(ip->dst_addr, dst, 16);
  uint8_t* icmp = reinterpret_cast<uint8_t*>(ip + 1);
  icmp[0] = type;
  icmp[1] = 0;
  icmp[2] = icmp[3] = 0;
  icmp[4] = flags;
  icmp[5] = icmp[6] = icmp[7] = 0;
  std::memcpy(icmp + 8, target, 16);
  icmp[24] = option;
  icmp[25] = 1;
  std::memcpy(icmp + 26, mac.addr_bytes, 6);
  store(icmp + 2, ipv6_l4_checksum(src, dst, k_ipproto_icmpv6, icmp,
                                   k_ndp_body_len + k_ll_option_len));
}

} // namespace

std::optional<drop_reason> validate_ndp(const ipv6_packet& pkt, ndp_message& out) noexcept {
  if (pkt.ip->hop_limits != k_ndp_hop_limit) return drop_reason::ndp_bad_hop_limit;
  if (!l4_checksum_ok(pkt)) return drop_reason::l4_bad_checksum;
  const uint8_t* icmp = pkt.l4;
  if (icmp[1] != 0) return drop_reason::ndp_bad_code;
  if (pkt.l4_len < k_ndp_body_len) return drop_reason::ndp_malformed;
  const uint8_t* target = icmp + 8;
  if (is_multicast6(target)) return drop_reason::ndp_target_multicast;

  const bool solicitation = icmp[0] == k_icmp6_neighbor_solicitation;
  const uint8_t wanted = solicitation ? k_option_source_ll : k_option_target_ll;
  const uint8_t* link_addr = nullptr;
  for (uint32_t at = k_ndp_body_len; at < pkt.l4_len;) {
    if (pkt.l4_len - at < 2) return drop_reason::ndp_malformed;
    const uint32_t len = icmp[at + 1] * 8u;
    if (len == 0 || len > pkt.l4_len - at) return drop_reason::ndp_malformed;
    // Options of other kinds (prefix, MTU, nonce...) are skipped, as RFC 4861 §4.6 asks.
    if (icmp[at] == wanted && len >= k_ll_option_len) link_addr = icmp + at + 2;
    at += len;
  }
  const uint8_t flags = solicitation ? 0 : icmp[4];
  if (solicitation && is_unspecified6(pkt.ip->src_addr) &&
      (!is_solicited_node6(pkt.ip->dst_addr) || link_addr != nullptr))
    return drop_reason::ndp_malformed;
  if (!solicitation && is_multicast6(pkt.ip->dst_addr) && (flags & k_na_solicited))
    return drop_reason::ndp_malformed;
  out.target = target;
  out.link_addr = link_addr;
  out.flags = flags;
  return std::nullopt;
}

void write_neighbor_advertisement(uint8_t* frame, const rte_ether_addr& mac, const uint8_t* target,
                                  const rte_ether_addr& dst_mac, const uint8_t* dst,
                                  bool solicited) noexcept {
  write_ndp(frame, mac, dst_mac, target, dst, k_icmp6_neighbor_advertisement,
            uint8_t(k_na_override | (solicited ? k_na_solicited : 0)), target, k_option_target_ll);
}

void write_neighbor_solicitation(uint8_t* frame, const rte_ether_addr& mac, const uint8_t* src,
                                 const uint8_t* target) noexcept {
  const ipv6_bytes group = solicited_node6(target);
  rte_ether_addr group_mac;
  multicast_mac6(group.data(), group_mac.addr_bytes);
  write_ndp(frame, mac, group_mac, src, group.data(), k_icmp6_neighbor_solicitation, 0, target,
            k_option_source_ll);
}

} // namespace sluice
