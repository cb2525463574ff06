#pragma once
// Which RX offloads Sluice asks a device for. Pure: from the device's capabilities to a request,
// so the choice is unit-tested without a device.

#include <rte_ethdev.h>

#include <cstdint>

namespace sluice {

// What a port's received packets are for.
enum class rx_use : uint8_t {
  parsed,    // the workers parse them: the NIC's checksum verdicts save the software sums
  passed_on, // sent on unread (a kernel twin's): a verdict would only cost the PMD work
};

// The checksum verifications to request (IPv4 header, TCP, UDP), each only where `rx_offload_capa`
// offers it: the worker trusts a GOOD/BAD verdict and sums in software where there is none
// (pipeline/parse.cpp, established.cpp), so a partial set is fine. Every PMD on this lab gives correct verdicts
// for legal packets: net_tap (22.11.11, verified in software inside the PMD) marks a UDP
// checksum of 0 L4 NONE, which the worker checks in software and passes (RFC 768), and
// fragments' L4 UNKNOWN; af_packet, memif, net_ring and net_null offer none.
constexpr uint64_t rx_checksum_offloads(uint64_t rx_offload_capa, rx_use use) noexcept {
  if (use != rx_use::parsed) return 0;
  return rx_offload_capa & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
                            RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
}

} // namespace sluice
