#include <gtest/gtest.h>

#include <cstring>

#include "dataplane/ndp/ndp.hpp"
#include "dataplane/net/ipv6.hpp"
#include "tests/support/ipv6_builder.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::ip6;
using testing::ipv6_builder;
using testing::k_ip6;

constexpr const char* k_client_mac = "02:00:00:00:00:01";

std::optional<drop_reason> validate(bytes& f, ndp_message* out = nullptr) {
  ipv6_packet p{};
  if (auto bad = parse_ipv6(f.data() + k_ip6, uint32_t(f.size() - k_ip6), p)) return bad;
  EXPECT_TRUE(is_ndp(p));
  ndp_message msg;
  auto r = validate_ndp(p, msg);
  if (out) *out = msg;
  return r;
}

ipv6_builder solicitation(const char* src = "fd00::1", const char* dst = "ff02::1:ff00:2") {
  ipv6_builder b;
  b.ipv6(src, dst, 255).neighbor_solicitation("fd00::2", k_client_mac);
  return b;
}

TEST(NdpValidation, WellFormedSolicitationYieldsTargetAndSourceLinkAddress) {
  bytes f = solicitation().build();
  ndp_message msg;
  ASSERT_EQ(validate(f, &msg), std::nullopt);
  EXPECT_EQ(std::memcmp(msg.target, ip6("fd00::2").data(), 16), 0);
  ASSERT_NE(msg.link_addr, nullptr);
  EXPECT_EQ(bytes(msg.link_addr, msg.link_addr + 6), testing::packet_builder::mac(k_client_mac));
}

TEST(NdpValidation, HopLimitBelow255ShowsAForwardedMessage) {
  bytes f = ipv6_builder().ipv6("fd00::1", "ff02::1:ff00:2", 254)
                .neighbor_solicitation("fd00::2", k_client_mac).build();
  EXPECT_EQ(validate(f), drop_reason::ndp_bad_hop_limit);
}

TEST(NdpValidation, BadChecksumIsRefused) {
  bytes f = solicitation().build();
  f[k_ip6 + 40 + 2] ^= 0x01;
  EXPECT_EQ(validate(f), drop_reason::l4_bad_checksum);
}

TEST(NdpValidation, NonZeroCodeIsRefused) {
  bytes f = solicitation().icmp_code(1).build();
  EXPECT_EQ(validate(f), drop_reason::ndp_bad_code);
}

TEST(NdpValidation, MulticastTargetIsRefused) {
  bytes f = ipv6_builder().ipv6("fd00::1", "ff02::1:ff00:2", 255)
                .neighbor_solicitation("ff02::1", k_client_mac).build();
  EXPECT_EQ(validate(f), drop_reason::ndp_target_multicast);
}

TEST(NdpValidation, MessageShorterThanItsBodyIsMalformed) {
  bytes f = solicitation().build();
  // Cut to 16 bytes of ICMPv6 (no full target), announced consistently, checksum redone.
  f.resize(k_ip6 + 40 + 16);
  f[k_ip6 + 4] = 0;
  f[k_ip6 + 5] = 16;
  testing::fix_ipv6_l4_checksum(f, 58);
  EXPECT_EQ(validate(f), drop_reason::ndp_malformed);
}

TEST(NdpValidation, ZeroLengthOptionIsMalformed) {
  bytes f = solicitation().build();
  f[k_ip6 + 40 + 25] = 0;
  testing::fix_ipv6_l4_checksum(f, 58);
  EXPECT_EQ(validate(f), drop_reason::ndp_malformed);
}

TEST(NdpValidation, DuplicateAddressDetectionMustCarryNoLinkAddressAndGoToTheGroup) {
  bytes dad = ipv6_builder().ipv6("::", "ff02::1:ff00:2", 255)
                  .neighbor_solicitation("fd00::2").build();
  EXPECT_EQ(validate(dad), std::nullopt);
  bytes with_option = solicitation("::").build();
  EXPECT_EQ(validate(with_option), drop_reason::ndp_malformed);
  bytes unicast = ipv6_builder().ipv6("::", "fd00::2", 255).neighbor_solicitation("fd00::2").build();
  EXPECT_EQ(validate(unicast), drop_reason::ndp_malformed);
}

TEST(NdpValidation, MulticastAdvertisementMustNotClaimToBeSolicited) {
  bytes solicited = ipv6_builder().ipv6("fd00::1", "ff02::1", 255)
                        .neighbor_advertisement("fd00::1", 0x60, k_client_mac).build();
  EXPECT_EQ(validate(solicited), drop_reason::ndp_malformed);
  bytes unsolicited = ipv6_builder().ipv6("fd00::1", "ff02::1", 255)
                          .neighbor_advertisement("fd00::1", 0x20, k_client_mac).build();
  ndp_message msg;
  ASSERT_EQ(validate(unsolicited, &msg), std::nullopt);
  EXPECT_EQ(msg.flags, 0x20);
  ASSERT_NE(msg.link_addr, nullptr);
}

TEST(NdpValidation, OtherOptionsAreSkipped) {
  // A nonce option (14, RFC 3971) before the link-layer one.
  bytes f = solicitation().build();
  const bytes nonce = {14, 1, 1, 2, 3, 4, 5, 6};
  f.insert(f.begin() + k_ip6 + 40 + 24, nonce.begin(), nonce.end());
  f[k_ip6 + 5] += 8;
  testing::fix_ipv6_l4_checksum(f, 58);
  ndp_message msg;
  ASSERT_EQ(validate(f, &msg), std::nullopt);
  ASSERT_NE(msg.link_addr, nullptr);
  EXPECT_EQ(msg.link_addr, f.data() + k_ip6 + 40 + 32 + 2);
}

TEST(NdpMessages, WrittenAdvertisementValidatesAndCarriesOurAddress) {
  bytes f(k_ndp_frame_len);
  const rte_ether_addr ours = {{0x02, 0, 0, 0, 0, 0x02}};
  const rte_ether_addr theirs = {{0x02, 0, 0, 0, 0, 0x01}};
  write_neighbor_advertisement(f.data(), ours, ip6("fd00::2").data(), theirs,
                               ip6("fd00::1").data(), true);
  ndp_message msg;
  ASSERT_EQ(validate(f, &msg), std::nullopt);
  EXPECT_EQ(msg.flags, k_na_solicited | k_na_override);
  EXPECT_EQ(std::memcmp(msg.link_addr, ours.addr_bytes, 6), 0);
  EXPECT_EQ(std::memcmp(f.data(), theirs.addr_bytes, 6), 0);
}

TEST(NdpMessages, WrittenSolicitationGoesToTheTargetsSolicitedNodeGroup) {
  bytes f(k_ndp_frame_len);
  const rte_ether_addr ours = {{0x02, 0, 0, 0, 0, 0x02}};
  write_neighbor_solicitation(f.data(), ours, ip6("fd00::2").data(), ip6("fd00::12:3456").data());
  ndp_message msg;
  ASSERT_EQ(validate(f, &msg), std::nullopt);
  EXPECT_EQ(bytes(f.begin(), f.begin() + 6), (bytes{0x33, 0x33, 0xff, 0x12, 0x34, 0x56}));
  EXPECT_EQ(bytes(f.begin() + k_ip6 + 24, f.begin() + k_ip6 + 40), ip6("ff02::1:ff12:3456"));
  EXPECT_EQ(std::memcmp(msg.link_addr, ours.addr_bytes, 6), 0);
}

} // namespace
} // namespace sluice
