// libFuzzer target for ARP validation and in-place replies (dataplane/arp/arp.hpp).
//
// Input: the bytes after the Ethernet header. A packet that parse_arp accepts is answered with
// make_arp_reply, as the worker does, and the reply must be a valid ARP reply that swaps the
// addresses the way RFC 826 says.

#include <rte_arp.h>
#include <rte_ether.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/arp/arp.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

constexpr rte_ether_addr k_our_mac{{0x02, 0x5c, 0x00, 0x00, 0x00, 0x01}};
constexpr rte_ether_addr k_peer_mac{{0x02, 0x5c, 0x00, 0x00, 0x00, 0x02}};

using sluice::fuzz::require;

// By value: DPDK's ARP structs are packed, so their members cannot be passed by address.
bool same(rte_ether_addr a, rte_ether_addr b) { return rte_is_same_ether_addr(&a, &b); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (sluice::parse_arp(data, static_cast<uint32_t>(size))) return 0;
  require(size >= sizeof(rte_arp_hdr), "a valid ARP packet holds a whole header");

  // The frame as the worker holds it: Ethernet header, then the ARP packet, ending at the end
  // of the allocation so ASan reports any access past it.
  std::vector<uint8_t> frame(sizeof(rte_ether_hdr) + size);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(frame.data());
  eth->dst_addr = rte_ether_addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
  eth->src_addr = k_peer_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  std::memcpy(eth + 1, data, size);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  const rte_arp_ipv4 asked = arp->arp_data;

  sluice::make_arp_reply(eth, arp, k_our_mac);

  const rte_arp_ipv4 told = arp->arp_data;
  require(!sluice::parse_arp(frame.data() + sizeof(rte_ether_hdr), static_cast<uint32_t>(size)),
          "the reply is a valid ARP packet");
  require(arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY), "the reply is an ARP reply");
  require(same(told.arp_sha, k_our_mac), "the reply comes from our MAC");
  require(told.arp_sip == asked.arp_tip, "the reply claims the address asked for");
  require(same(told.arp_tha, asked.arp_sha) && told.arp_tip == asked.arp_sip,
          "the reply goes to the asker");
  require(same(eth->src_addr, k_our_mac) && same(eth->dst_addr, k_peer_mac),
          "the Ethernet header is turned around");
  require(std::memcmp(frame.data() + sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr),
                      data + sizeof(rte_arp_hdr), size - sizeof(rte_arp_hdr)) == 0,
          "bytes after the ARP header are left alone");
  return 0;
}
