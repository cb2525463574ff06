#include <gtest/gtest.h>

#include "dataplane/xmit/nat.hpp"
#include "tests/support/packet_builder.hpp"
#include "tests/support/packet_view.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::ip;
using testing::k_ip;
using testing::packet_builder;
using testing::view;

TEST(NatRewrite, ForwardTcpEqualsPacketBuiltForTheBackend) {
  bytes in = packet_builder().ipv4("10.0.0.1", "10.0.0.100", 64).tcp(40000, 80, 0x02).build();
  nat_rewrite_destination(view(in), {ip("10.0.1.11"), htons(8080)});
  const bytes want =
      packet_builder().ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, 0x02).build();
  EXPECT_EQ(in, want);
}

TEST(NatRewrite, ReplyUdpEqualsPacketBuiltFromTheVip) {
  bytes in = packet_builder().ipv4("10.0.1.12", "10.0.0.1", 64).udp(5353, 40000)
                 .payload("be2:hello").build();
  nat_rewrite_source(view(in), {ip("10.0.0.100"), htons(53)});
  const bytes want = packet_builder().ipv4("10.0.0.100", "10.0.0.1", 63).udp(53, 40000)
                         .payload("be2:hello").build();
  EXPECT_EQ(in, want);
}

TEST(NatRewrite, UdpWithoutChecksumStaysWithout) {
  bytes in = packet_builder().ipv4("10.0.0.1", "10.0.0.100").udp(1000, 53).udp_no_checksum()
                 .payload("q").build();
  nat_rewrite_destination(view(in), {ip("10.0.1.11"), htons(5353)});
  EXPECT_EQ(in[testing::k_l4 + 6], 0);
  EXPECT_EQ(in[testing::k_l4 + 7], 0);
  EXPECT_TRUE(testing::checksums_valid(in));
}

TEST(NatRewrite, ChecksumsStayValidForEveryPayloadLength) {
  for (std::size_t n = 0; n < 300; n += 7) {
    bytes in = packet_builder().ipv4("192.168.7.9", "10.0.0.100").tcp(1, 443, 0x10)
                   .payload_size(n).build();
    nat_rewrite_destination(view(in), {ip("172.16.200.3"), htons(65535)});
    EXPECT_TRUE(testing::checksums_valid(in)) << n;
  }
}

TEST(NatRewrite, IpOptionsAreCarriedThrough) {
  bytes in = packet_builder().ipv4("10.0.0.1", "10.0.0.100").ip_options({1, 1, 1, 0})
                 .tcp(40000, 80, 0x02).build();
  nat_rewrite_destination(view(in), {ip("10.0.1.11"), htons(8080)});
  const bytes want = packet_builder().ipv4("10.0.0.1", "10.0.1.11", 63)
                         .ip_options({1, 1, 1, 0}).tcp(40000, 8080, 0x02).build();
  EXPECT_EQ(in, want);
}

TEST(DecrementTtl, PatchesTheHeaderChecksum) {
  bytes in = packet_builder().ipv4("1.1.1.1", "2.2.2.2", 2).udp(1, 2).build();
  decrement_ttl(view(in).ip);
  EXPECT_EQ(in, packet_builder().ipv4("1.1.1.1", "2.2.2.2", 1).udp(1, 2).build());
}

} // namespace
} // namespace sluice
