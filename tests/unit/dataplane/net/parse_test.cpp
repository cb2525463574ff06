#include <gtest/gtest.h>

#include "dataplane/net/parse.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::k_ip;
using testing::packet_builder;

// `f` must outlive `out`, which points into it.
std::optional<drop_reason> parse(bytes& f, ipv4_packet* out = nullptr) {
  ipv4_packet p;
  auto r = parse_ipv4(f.data() + k_ip, uint32_t(f.size() - k_ip), p);
  if (!r) r = check_l4_header(p);
  if (out) *out = p;
  return r;
}

std::optional<drop_reason> parse(bytes&& f) { return parse(f, nullptr); }

bytes tcp_syn() {
  return packet_builder().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, 0x02).build();
}

void fix_ip_checksum(bytes& f) {
  f[k_ip + 10] = f[k_ip + 11] = 0;
  const std::size_t ihl = (f[k_ip] & 0x0f) * 4u;
  const uint16_t c = uint16_t(~testing::ones_sum(&f[k_ip], ihl));
  f[k_ip + 10] = uint8_t(c >> 8);
  f[k_ip + 11] = uint8_t(c);
}

TEST(ParseIpv4, WellFormedTcpPasses) {
  ipv4_packet p;
  bytes f = tcp_syn();
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.proto, IPPROTO_TCP);
  EXPECT_EQ(p.l4_len, 20);
}

std::optional<drop_reason> parse_with(bytes& f, header_checksum verdict) {
  ipv4_packet p;
  return parse_ipv4(f.data() + k_ip, uint32_t(f.size() - k_ip), p, verdict);
}

TEST(ParseIpv4, TheNicsVerdictReplacesOnlyTheChecksumSum) {
  bytes wrong_sum = tcp_syn();
  wrong_sum[k_ip + 11] ^= 0x01;
  EXPECT_EQ(parse_with(wrong_sum, header_checksum::unverified), drop_reason::ip_bad_checksum);
  EXPECT_EQ(parse_with(wrong_sum, header_checksum::nic_good), std::nullopt);
  bytes right_sum = tcp_syn();
  EXPECT_EQ(parse_with(right_sum, header_checksum::nic_bad), drop_reason::ip_bad_checksum);
}

TEST(ParseIpv4, CheckedHeaderFieldsComeFirstWhateverTheNicSays) {
  // Earlier checks than the checksum still run and win, later ones still run after a good one.
  bytes short_ihl = tcp_syn();
  short_ihl[k_ip] = 0x44;
  EXPECT_EQ(parse_with(short_ihl, header_checksum::nic_bad), drop_reason::ip_bad_ihl);
  EXPECT_EQ(parse_with(short_ihl, header_checksum::nic_good), drop_reason::ip_bad_ihl);
  bytes long_total = tcp_syn();
  long_total[k_ip + 2] = 0x10;
  EXPECT_EQ(parse_with(long_total, header_checksum::nic_bad), drop_reason::ip_bad_total_length);
  bytes fragment = packet_builder().ipv4("10.0.0.1", "10.0.0.100").fragment(0, true).tcp(1, 80, 0x02).build();
  EXPECT_EQ(parse_with(fragment, header_checksum::nic_good), drop_reason::ip_fragment);
  EXPECT_EQ(parse_with(fragment, header_checksum::nic_bad), drop_reason::ip_bad_checksum);
}

TEST(ParseIpv4, FrameEndingInsideTheHeaderIsTruncated) {
  bytes f = tcp_syn();
  f.resize(k_ip + 19);
  EXPECT_EQ(parse(f), drop_reason::ip_truncated);
}

TEST(ParseIpv4, VersionSixUnderIpv4EthertypeIsRejected) {
  bytes f = tcp_syn();
  f[k_ip] = 0x65;
  EXPECT_EQ(parse(f), drop_reason::ip_bad_version);
}

TEST(ParseIpv4, HeaderLengthBelowTwentyIsRejected) {
  bytes f = tcp_syn();
  f[k_ip] = 0x44;
  EXPECT_EQ(parse(f), drop_reason::ip_bad_ihl);
}

TEST(ParseIpv4, OptionsRunningPastTheFrameAreTruncated) {
  bytes f = tcp_syn();
  f.resize(k_ip + 24);
  f[k_ip] = 0x4f; // 60-byte header in a 24-byte packet
  EXPECT_EQ(parse(f), drop_reason::ip_truncated);
}

TEST(ParseIpv4, TotalLengthBeyondTheFrameIsRejected) {
  bytes f = tcp_syn();
  f[k_ip + 2] = 0x05; // 1280+ bytes claimed
  fix_ip_checksum(f);
  EXPECT_EQ(parse(f), drop_reason::ip_bad_total_length);
}

TEST(ParseIpv4, HeaderLongerThanTotalLengthIsRejected) {
  bytes f = tcp_syn();
  f[k_ip + 2] = 0;
  f[k_ip + 3] = 16;
  fix_ip_checksum(f);
  EXPECT_EQ(parse(f), drop_reason::ip_bad_ihl);
}

TEST(ParseIpv4, WrongHeaderChecksumIsRejected) {
  bytes f = tcp_syn();
  f[k_ip + 10] ^= 0x01;
  EXPECT_EQ(parse(f), drop_reason::ip_bad_checksum);
}

TEST(ParseIpv4, FirstAndLaterFragmentsAreRejected) {
  EXPECT_EQ(parse(packet_builder().ipv4("1.1.1.1", "2.2.2.2").fragment(0, true).udp(1, 2)
                      .payload_size(40).build()),
            drop_reason::ip_fragment);
  EXPECT_EQ(parse(packet_builder().ipv4("1.1.1.1", "2.2.2.2").fragment(48, false).udp(1, 2)
                      .build()),
            drop_reason::ip_fragment);
}

TEST(ParseIpv4, DontFragmentAloneIsNotAFragment) {
  EXPECT_EQ(parse(packet_builder().ipv4("1.1.1.1", "2.2.2.2").df().tcp(1, 2, 0x02).build()),
            std::nullopt);
}

TEST(ParseIpv4, EthernetPaddingIsExcludedFromThePayload) {
  bytes f = packet_builder().ipv4("1.1.1.1", "2.2.2.2").udp(1, 2).build();
  f.resize(f.size() + 18, 0); // a NIC pads short frames to 60 bytes
  ipv4_packet p;
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.l4_len, 8);
  EXPECT_TRUE(l4_checksum_ok(p));
}

TEST(ParseIpv4, ValidOptionsAreAccepted) {
  ipv4_packet p;
  bytes f = packet_builder().ipv4("1.1.1.1", "2.2.2.2").ip_options({1, 1, 1, 0})
                .tcp(1, 2, 0x02).build();
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_EQ(p.l4 - reinterpret_cast<uint8_t*>(p.ip), 24);
}

TEST(CheckL4Header, TcpHeaderCutShortIsTruncated) {
  bytes f = packet_builder().ipv4("1.1.1.1", "2.2.2.2").udp(1, 2).payload_size(4).build();
  f[k_ip + 9] = IPPROTO_TCP; // 12 bytes of "TCP"
  fix_ip_checksum(f);
  EXPECT_EQ(parse(f), drop_reason::l4_truncated);
}

TEST(CheckL4Header, TcpDataOffsetOutOfRangeIsMalformed) {
  bytes f = tcp_syn();
  f[testing::k_l4 + 12] = 4 << 4;
  EXPECT_EQ(parse(f), drop_reason::l4_malformed);
  f[testing::k_l4 + 12] = 15 << 4;
  EXPECT_EQ(parse(f), drop_reason::l4_malformed);
}

TEST(CheckL4Header, UdpLengthDisagreeingWithIpIsMalformed) {
  bytes f = packet_builder().ipv4("1.1.1.1", "2.2.2.2").udp(1, 2).payload("hello").build();
  f[testing::k_l4 + 5] = 9;
  EXPECT_EQ(parse(f), drop_reason::l4_malformed);
}

TEST(L4Checksum, CorrectTcpUdpIcmpChecksumsVerify) {
  for (bytes f : {tcp_syn(),
                         packet_builder().ipv4("1.1.1.1", "2.2.2.2").udp(1, 2).payload("x").build(),
                         packet_builder().ipv4("1.1.1.1", "2.2.2.2").icmp_echo(1, 2).build()}) {
    ipv4_packet p;
    ASSERT_EQ(parse(f, &p), std::nullopt);
    EXPECT_TRUE(l4_checksum_ok(p));
  }
}

TEST(L4Checksum, OneFlippedPayloadBitFailsVerification) {
  bytes f = packet_builder().ipv4("1.1.1.1", "2.2.2.2").tcp(1, 2, 0x18).payload("GET /").build();
  f.back() ^= 0x04;
  ipv4_packet p;
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_FALSE(l4_checksum_ok(p));
}

TEST(L4Checksum, UdpWithoutChecksumPasses) {
  bytes f = packet_builder().ipv4("1.1.1.1", "2.2.2.2").udp(1, 2).udp_no_checksum().build();
  ipv4_packet p;
  ASSERT_EQ(parse(f, &p), std::nullopt);
  EXPECT_TRUE(l4_checksum_ok(p));
}

} // namespace
} // namespace sluice
