#include "dataplane/icmp/unreachable.hpp"

#include <rte_icmp.h>

#include <algorithm>
#include <cstring>

namespace sluice {
namespace {
constexpr uint8_t k_error_tos = 0xc0;
constexpr uint8_t k_error_ttl = 64;
constexpr uint8_t k_type_unreachable = 3;
constexpr uint8_t k_code_frag_needed = 4;
constexpr std::size_t k_quoted_data = 8;
} // namespace

std::size_t write_frag_needed(uint8_t* out, const rte_ipv4_hdr* offending, uint32_t src,
                              uint16_t next_hop_mtu) noexcept {
  return write_icmp_error(out, offending, src, k_type_unreachable, k_code_frag_needed,
                          rte_cpu_to_be_32(next_hop_mtu));
}

std::size_t write_icmp_error(uint8_t* out, const rte_ipv4_hdr* offending, uint32_t src,
                             uint8_t type, uint8_t code, uint32_t rest) noexcept {
  const std::size_t ihl = rte_ipv4_hdr_len(offending);
  const std::size_t data =
      std::min<std::size_t>(k_quoted_data, rte_be_to_cpu_16(offending->total_length) - ihl);
  const std::size_t icmp_len = sizeof(rte_icmp_hdr) + ihl + data;
  const std::size_t total = sizeof(rte_ipv4_hdr) + icmp_len;

  uint8_t* icmp = out + sizeof(rte_ipv4_hdr);
  icmp[0] = type;
  icmp[1] = code;
  icmp[2] = icmp[3] = 0; // checksum, below
  std::memcpy(icmp + 4, &rest, sizeof rest);
  std::memcpy(icmp + sizeof(rte_icmp_hdr), offending, ihl + data);
  const uint16_t icmp_sum = static_cast<uint16_t>(~rte_raw_cksum(icmp, icmp_len));
  std::memcpy(icmp + 2, &icmp_sum, sizeof icmp_sum);

  rte_ipv4_hdr h{};
  h.version_ihl = RTE_IPV4_VHL_DEF;
  h.type_of_service = k_error_tos;
  h.total_length = rte_cpu_to_be_16(uint16_t(total));
  h.time_to_live = k_error_ttl;
  h.next_proto_id = IPPROTO_ICMP;
  h.src_addr = src;
  h.dst_addr = offending->src_addr;
  h.hdr_checksum = static_cast<uint16_t>(~rte_raw_cksum(&h, sizeof h));
  std::memcpy(out, &h, sizeof h);
  return total;
}

} // namespace sluice
