// Full-NAT on byte buffers: the rewrite in each direction equals the packet built independently
// for the other side, and the local port partition names every port's owner exactly once.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <set>
#include <utility>

#include "dataplane/xmit/fnat.hpp"
#include "tests/support/packet_builder.hpp"
#include "tests/support/packet_view.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::ip;
using testing::k_ip;
using testing::packet_builder;
using testing::view;

TEST(FnatRewrite, ForwardTcpBecomesLocalAddressToBackend) {
  bytes in = packet_builder().ipv4("192.168.5.1", "10.0.0.100", 64).tcp(40000, 80, 0x02, 77).build();
  fnat_rewrite_forward(view(in), {ip("10.0.1.5"), htons(1030)}, {ip("10.0.1.11"), htons(8080)});
  EXPECT_EQ(in, packet_builder().ipv4("10.0.1.5", "10.0.1.11", 63).tcp(1030, 8080, 0x02, 77).build());
}

TEST(FnatRewrite, ReplyUdpBecomesVipToClient) {
  bytes in = packet_builder().ipv4("10.0.1.12", "10.0.1.5", 64).udp(5353, 2047).payload("be2:x").build();
  fnat_rewrite_reply(view(in), {ip("10.0.0.100"), htons(53)}, {ip("172.16.9.9"), htons(50000)});
  EXPECT_EQ(in, packet_builder().ipv4("10.0.0.100", "172.16.9.9", 63).udp(53, 50000).payload("be2:x").build());
}

TEST(FnatRewrite, ChecksumsStayValidForEveryPayloadLength) {
  for (std::size_t n = 0; n < 200; n += 3) {
    bytes in = packet_builder().ipv4("1.2.3.4", "10.0.0.100").tcp(65535, 443, 0x18).payload_size(n).build();
    fnat_rewrite_forward(view(in), {ip("255.255.255.254"), htons(65535)}, {ip("0.0.0.1"), htons(1)});
    EXPECT_TRUE(testing::checksums_valid(in)) << n;
  }
}

TEST(FnatPorts, WorkersShareThePortSpaceWithoutOverlapAndEachPortNamesItsOwner) {
  for (unsigned workers = 1; workers <= 7; ++workers) {
    std::set<uint16_t> all;
    for (unsigned w = 0; w < workers; ++w) {
      fnat_port_cursor c(w, workers);
      for (uint32_t i = 0; i < c.size(); ++i) {
        const uint16_t p = c.next();
        EXPECT_GE(p, k_fnat_first_port);
        EXPECT_EQ(fnat_port_owner(htons(p), workers), w) << p;
        EXPECT_TRUE(all.insert(p).second) << "port " << p << " handed out twice";
      }
    }
    EXPECT_EQ(all.size(), 65536u - k_fnat_first_port) << workers << " workers";
  }
}

TEST(FnatPorts, TheCursorWrapsAroundToItsFirstPort) {
  fnat_port_cursor c(1, 4);
  const uint16_t first = c.next();
  for (uint32_t i = 1; i < c.size(); ++i) c.next();
  EXPECT_EQ(c.next(), first);
}

TEST(FnatLocalEndpoints, EveryAddressPortPairIsOfferedOncePerCycle) {
  // 8 addresses and a port count divisible by 8: the shape that starved full-NAT at 64,512
  // flows per backend when address and port advanced together.
  for (const uint32_t addresses : {1u, 3u, 8u}) {
    fnat_local_cursor c(1, 2);
    std::set<std::pair<uint32_t, uint16_t>> seen;
    const uint32_t pairs = addresses * c.ports();
    for (uint32_t i = 0; i < pairs; ++i) {
      const auto e = c.next(addresses);
      ASSERT_LT(e.address_index, addresses);
      EXPECT_EQ(fnat_port_owner(htons(e.port), 2), 1u) << e.port;
      EXPECT_TRUE(seen.insert({e.address_index, e.port}).second)
          << "pair " << e.address_index << ":" << e.port << " offered twice in one cycle";
    }
    EXPECT_EQ(seen.size(), pairs) << addresses << " addresses";
  }
}

TEST(FnatLocalEndpoints, ConsecutiveChoicesSpreadOverTheAddressPool) {
  fnat_local_cursor c(0, 1);
  for (uint32_t i = 0; i < 9; ++i) EXPECT_EQ(c.next(3).address_index, i % 3) << i;
}

TEST(FnatLocalEndpoints, APoolThatShrinksBetweenSnapshotsStaysInRange) {
  fnat_local_cursor c(0, 1);
  for (int i = 0; i < 7; ++i) c.next(8);
  for (int i = 0; i < 10; ++i) EXPECT_LT(c.next(2).address_index, 2u);
}

} // namespace
} // namespace sluice
