#include <gtest/gtest.h>

#include "dataplane/net/parse_ipv6.hpp"
#include "tests/support/ipv6_builder.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::ipv6_builder;
using testing::k_ip6;

// `f` must outlive `out`, which points into it.
std::optional<drop_reason> parse(bytes& f, ipv6_packet* out = nullptr) {
  ipv6_packet p{};
  auto r = parse_ipv6(f.data() + k_ip6, uint32_t(f.size() - k_ip6), p);
  if (!r) r = check_l4_header(p);
  if (out) *out = p;
  return r;
}
std::optional<drop_reason> parse(bytes&& f) { return parse(f, nullptr); }

ipv6_builder syn() { return ipv6_builder().ipv6("fd00::1", "fd00::2").tcp(40000, 80, 0x02); }

TEST(ParseIpv6, PlainTcpReachesItsTransportHeader) {
  bytes f = syn().build();
  ipv6_packet p{};
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.proto, IPPROTO_TCP);
  EXPECT_EQ(p.l4_offset, 40);
  EXPECT_EQ(p.l4_len, 20);
  EXPECT_EQ(p.l4, f.data() + k_ip6 + 40);
  EXPECT_EQ(p.ext_headers, 0);
  EXPECT_TRUE(l4_checksum_ok(p));
}

TEST(ParseIpv6, TheWalkStepsOverEveryAcceptedExtensionHeader) {
  bytes f = syn().ext(0).ext(60, bytes(14)).routing(2, 0).fragment(0, false).build();
  ipv6_packet p{};
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.proto, IPPROTO_TCP);
  EXPECT_EQ(p.ext_headers, 4);
  EXPECT_EQ(p.l4_offset, 40 + 8 + 16 + 8 + 8);
  EXPECT_EQ(p.l4_len, 20);
  EXPECT_TRUE(l4_checksum_ok(p));
}

TEST(ParseIpv6, EthernetPaddingIsNotPayload) {
  bytes f = syn().build();
  f.resize(f.size() + 6, 0);
  ipv6_packet p{};
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.l4_len, 20);
}

TEST(ParseIpv6, UnknownNextHeaderEndsTheWalkAsTheProtocol) {
  bytes f = syn().ext(60).build();
  f[k_ip6 + 40] = 59; // no next header
  ipv6_packet p{};
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.proto, 59);
  EXPECT_EQ(p.l4_offset, 48);
}

TEST(ParseIpv6, FixedHeaderShorterThanFortyBytesIsTruncated) {
  bytes f = syn().build();
  f.resize(k_ip6 + 39);
  EXPECT_EQ(parse(f), drop_reason::ip6_truncated);
}

TEST(ParseIpv6, VersionOtherThanSixIsRefused) {
  bytes f = syn().build();
  f[k_ip6] = 0x40;
  EXPECT_EQ(parse(f), drop_reason::ip6_bad_version);
}

TEST(ParseIpv6, PayloadLengthBeyondTheFrameOrZeroIsRefused) {
  bytes longer = syn().build();
  longer[k_ip6 + 5] += 1;
  EXPECT_EQ(parse(longer), drop_reason::ip6_bad_payload_length);
  bytes jumbo = syn().build();
  jumbo[k_ip6 + 4] = jumbo[k_ip6 + 5] = 0;
  EXPECT_EQ(parse(jumbo), drop_reason::ip6_bad_payload_length);
}

TEST(ParseIpv6, ChainLongerThanTheBoundIsRefused) {
  ipv6_builder at_bound = syn(), over = syn();
  for (unsigned i = 0; i < k_max_ipv6_ext_headers; ++i) at_bound.ext(60);
  for (unsigned i = 0; i <= k_max_ipv6_ext_headers; ++i) over.ext(60);
  EXPECT_EQ(parse(at_bound.build()), std::nullopt);
  EXPECT_EQ(parse(over.build()), drop_reason::ip6_ext_chain_too_long);
}

TEST(ParseIpv6, HopByHopAfterAnotherHeaderIsMisplaced) {
  EXPECT_EQ(parse(syn().ext(60).ext(0).build()), drop_reason::ip6_ext_misplaced);
}

TEST(ParseIpv6, ExtensionHeaderRunningPastThePayloadIsTruncated) {
  bytes f = syn().ext(60).build();
  f[k_ip6 + 41] = 200; // 1608 bytes announced
  EXPECT_EQ(parse(f), drop_reason::ip6_ext_truncated);
  // Fewer than the 8 bytes every extension header has: the payload ends inside it.
  bytes g = ipv6_builder().ipv6("fd00::1", "fd00::2").ext(60).tcp(1, 2, 0x02).build();
  g[k_ip6 + 5] = 4;
  g.resize(k_ip6 + 44);
  EXPECT_EQ(parse(g), drop_reason::ip6_ext_truncated);
}

TEST(ParseIpv6, RoutingHeaderTypeZeroIsRefusedEvenWithNoSegmentsLeft) {
  EXPECT_EQ(parse(syn().routing(0, 0).build()), drop_reason::ip6_routing_type0);
  EXPECT_EQ(parse(syn().routing(0, 2).build()), drop_reason::ip6_routing_type0);
}

TEST(ParseIpv6, RoutingHeaderWithSegmentsLeftIsRefused) {
  EXPECT_EQ(parse(syn().routing(4, 1).build()), drop_reason::ip6_routing_unsupported);
  EXPECT_EQ(parse(syn().routing(4, 0).build()), std::nullopt);
}

TEST(ParseIpv6, OnlyAnAtomicFragmentPasses) {
  EXPECT_EQ(parse(syn().fragment(0, false).build()), std::nullopt);
  EXPECT_EQ(parse(syn().fragment(0, true).build()), drop_reason::ip6_fragment);
  EXPECT_EQ(parse(syn().fragment(1232, false).build()), drop_reason::ip6_fragment);
}

TEST(ParseIpv6, TransportHeaderChecksCoverIcmpv6) {
  bytes f = ipv6_builder().ipv6("fd00::1", "fd00::2").echo_request(1, 1).build();
  f[k_ip6 + 5] = 4;
  f.resize(k_ip6 + 44);
  EXPECT_EQ(parse(f), drop_reason::l4_truncated);
  bytes udp = ipv6_builder().ipv6("fd00::1", "fd00::2").udp(1, 2).payload("x").build();
  udp[k_ip6 + 40 + 5] += 1;
  EXPECT_EQ(parse(udp), drop_reason::l4_malformed);
}

TEST(ParseIpv6, ChecksumCoversThePseudoHeaderAndRefusesUdpZero) {
  bytes f = ipv6_builder().ipv6("fd00::1", "fd00::2").udp(1, 2).payload("abc").build();
  ipv6_packet p{};
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_TRUE(l4_checksum_ok(p));
  f[k_ip6 + 8 + 15] ^= 1; // the source address, covered only by the pseudo-header
  EXPECT_FALSE(l4_checksum_ok(p));
  bytes zero = ipv6_builder().ipv6("fd00::1", "fd00::2").udp(1, 2).build();
  zero[k_ip6 + 46] = zero[k_ip6 + 47] = 0;
  ASSERT_EQ(parse(zero, &p), std::nullopt);
  EXPECT_FALSE(l4_checksum_ok(p));
}

} // namespace
} // namespace sluice
