#include "dataplane/arp/arp.hpp"

#include <cstring>

namespace sluice {

std::optional<drop_reason> parse_arp(const uint8_t* data, uint32_t len) noexcept {
  if (len < sizeof(rte_arp_hdr)) return drop_reason::arp_malformed;
  const auto* arp = reinterpret_cast<const rte_arp_hdr*>(data);
  const uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
  if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
      arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(uint32_t) ||
      (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY))
    return drop_reason::arp_malformed;
  return std::nullopt;
}

void make_arp_reply(rte_ether_hdr* eth, rte_arp_hdr* arp, const rte_ether_addr& our_mac) noexcept {
  rte_arp_ipv4& a = arp->arp_data;
  const uint32_t our_ip = a.arp_tip;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
  a.arp_tha = a.arp_sha;
  a.arp_tip = a.arp_sip;
  a.arp_sha = our_mac;
  a.arp_sip = our_ip;
  eth->dst_addr = eth->src_addr;
  eth->src_addr = our_mac;
}

void write_arp_request(uint8_t* frame, const rte_ether_addr& our_mac, uint32_t our_ip,
                       uint32_t target) noexcept {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
  std::memset(&eth->dst_addr, 0xff, sizeof eth->dst_addr);
  eth->src_addr = our_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = sizeof(uint32_t);
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
  arp->arp_data.arp_sha = our_mac;
  arp->arp_data.arp_sip = our_ip;
  std::memset(&arp->arp_data.arp_tha, 0, sizeof arp->arp_data.arp_tha);
  arp->arp_data.arp_tip = target;
}

} // namespace sluice
