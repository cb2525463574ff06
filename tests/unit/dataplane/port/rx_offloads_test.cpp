#include <gtest/gtest.h>

#include "dataplane/port/rx_offloads.hpp"

namespace sluice {
namespace {

constexpr uint64_t k_ip = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
constexpr uint64_t k_tcp = RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
constexpr uint64_t k_udp = RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

TEST(RxChecksumOffloads, EveryOfferedChecksumIsRequestedForParsedPorts) {
  // net_tap's capabilities on this lab.
  EXPECT_EQ(rx_checksum_offloads(k_ip | k_tcp | k_udp | RTE_ETH_RX_OFFLOAD_SCATTER, rx_use::parsed),
            k_ip | k_tcp | k_udp);
}

TEST(RxChecksumOffloads, EachChecksumIsRequestedOnlyWhereOffered) {
  // virtio-net offers TCP and UDP but not the IPv4 header; af_packet only VLAN stripping.
  EXPECT_EQ(rx_checksum_offloads(k_tcp | k_udp, rx_use::parsed), k_tcp | k_udp);
  EXPECT_EQ(rx_checksum_offloads(k_ip, rx_use::parsed), k_ip);
  EXPECT_EQ(rx_checksum_offloads(k_udp, rx_use::parsed), k_udp);
  EXPECT_EQ(rx_checksum_offloads(RTE_ETH_RX_OFFLOAD_VLAN_STRIP, rx_use::parsed), 0u);
  EXPECT_EQ(rx_checksum_offloads(0, rx_use::parsed), 0u);
}

TEST(RxChecksumOffloads, OtherOffloadsAreNeverRequested) {
  const uint64_t everything = ~uint64_t{0};
  EXPECT_EQ(rx_checksum_offloads(everything, rx_use::parsed), k_ip | k_tcp | k_udp);
}

TEST(RxChecksumOffloads, PortsWhosePacketsAreOnlyPassedOnRequestNone) {
  EXPECT_EQ(rx_checksum_offloads(k_ip | k_tcp | k_udp, rx_use::passed_on), 0u);
}

} // namespace
} // namespace sluice
