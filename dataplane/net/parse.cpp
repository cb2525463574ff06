#include "dataplane/net/parse.hpp"

#include <rte_udp.h>

#include "dataplane/net/parse_l4.hpp"

namespace sluice {

std::optional<drop_reason> parse_ipv4(uint8_t* data, uint32_t len, ipv4_packet& out,
                                      header_checksum checksum) noexcept {
  if (len < sizeof(rte_ipv4_hdr)) return drop_reason::ip_truncated;
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(data);
  if ((ip->version_ihl >> 4) != 4) return drop_reason::ip_bad_version;
  const uint32_t header_len = (ip->version_ihl & 0x0f) * 4u;
  if (header_len < sizeof(rte_ipv4_hdr)) return drop_reason::ip_bad_ihl;
  if (header_len > len) return drop_reason::ip_truncated;
  const uint32_t total_len = rte_be_to_cpu_16(ip->total_length);
  if (total_len > len) return drop_reason::ip_bad_total_length;
  if (header_len > total_len) return drop_reason::ip_bad_ihl;
  // A correct header sums to 0xffff with its own checksum field included.
  const bool checksum_ok = checksum == header_checksum::unverified
                               ? rte_raw_cksum(ip, header_len) == 0xffff
                               : checksum == header_checksum::nic_good;
  if (!checksum_ok) return drop_reason::ip_bad_checksum;
  const uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
  if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) return drop_reason::ip_fragment;

  out.ip = ip;
  out.l4 = data + header_len;
  out.l4_len = static_cast<uint16_t>(total_len - header_len);
  out.proto = ip->next_proto_id;
  return std::nullopt;
}

std::optional<drop_reason> check_l4_header(const ipv4_packet& pkt) noexcept {
  return check_transport_header(pkt.proto, pkt.l4, pkt.l4_len, IPPROTO_ICMP);
}

bool l4_checksum_ok(const ipv4_packet& pkt) noexcept {
  switch (pkt.proto) {
  case IPPROTO_UDP:
    if (reinterpret_cast<const rte_udp_hdr*>(pkt.l4)->dgram_cksum == 0) return true;
    [[fallthrough]];
  case IPPROTO_TCP: {
    uint32_t sum = rte_ipv4_phdr_cksum(pkt.ip, 0);
    sum += rte_raw_cksum(pkt.l4, pkt.l4_len);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
  }
  case IPPROTO_ICMP:
    return rte_raw_cksum(pkt.l4, pkt.l4_len) == 0xffff;
  default:
    return true;
  }
}

} // namespace sluice
