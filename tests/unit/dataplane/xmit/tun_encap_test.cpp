// TUN and DR rewrites on byte buffers: the outer IPIP header, the mbuf encapsulation (on an mbuf
// laid over a plain buffer: the prepend/trim helpers are inline and need no EAL), the MTU test and
// the ICMP fragmentation-needed message.

#include <gtest/gtest.h>

#include <rte_mbuf.h>

#include <cstring>

#include "dataplane/icmp/unreachable.hpp"
#include "dataplane/xmit/dr.hpp"
#include "dataplane/port/port.hpp"
#include "dataplane/xmit/tun.hpp"
#include "tests/support/packet_builder.hpp"
#include "tests/support/packet_view.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::ip;
using testing::k_ip;
using testing::ones_sum;
using testing::packet_builder;
using testing::view;

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

TEST(IpipHeader, CopiesDfTosAndTtlAndCoversTheInnerPacket) {
  bytes in = packet_builder().ipv4("10.0.0.1", "10.0.0.100", 63).df().tcp(1, 80, 0x02).build();
  in[k_ip + 1] = 0xb8; // DSCP EF, not-ECT (the inner header checksum does not matter here)
  uint8_t out[20];
  write_ipip_header(out, reinterpret_cast<const rte_ipv4_hdr*>(&in[k_ip]),
                    {.src = ip("10.0.1.2"), .dst = ip("10.0.1.11"), .id = 0x1234});
  EXPECT_EQ(out[0], 0x45);
  EXPECT_EQ(out[1], 0xb8);
  EXPECT_EQ(be16(out + 2), 20 + in.size() - k_ip);
  EXPECT_EQ(be16(out + 4), 0x1234);
  EXPECT_EQ(be16(out + 6), 0x4000) << "DF copied, no offset";
  EXPECT_EQ(out[8], 63) << "outer TTL = inner TTL";
  EXPECT_EQ(out[9], 4) << "IPPROTO_IPIP";
  uint32_t src, dst;
  std::memcpy(&src, out + 12, 4);
  std::memcpy(&dst, out + 16, 4);
  EXPECT_EQ(src, ip("10.0.1.2"));
  EXPECT_EQ(dst, ip("10.0.1.11"));
  EXPECT_EQ(ones_sum(out, 20), 0xffff) << "header checksum verifies";
}

TEST(IpipHeader, WithoutDfTheOuterHeaderHasNone) {
  bytes in = packet_builder().ipv4("10.0.0.1", "10.0.0.100").udp(1, 53).build();
  uint8_t out[20];
  write_ipip_header(out, view(in).ip, {.src = 1, .dst = 2, .id = 0});
  EXPECT_EQ(be16(out + 6), 0);
}

TEST(IpipHeader, CongestionExperiencedBecomesEct0OutsideOtherEcnIsCopied) {
  const std::pair<uint8_t, uint8_t> cases[] = {{0x03, 0x02}, {0x2b, 0x2a}, {0x01, 0x01}, {0x02, 0x02}};
  for (const auto& [inner_tos, outer_tos] : cases) {
    bytes in = packet_builder().ipv4("10.0.0.1", "10.0.0.100").udp(1, 53).build();
    in[k_ip + 1] = inner_tos;
    uint8_t out[20];
    write_ipip_header(out, reinterpret_cast<const rte_ipv4_hdr*>(&in[k_ip]), {.src = 1, .dst = 2, .id = 0});
    EXPECT_EQ(out[1], outer_tos) << int(inner_tos);
    EXPECT_EQ(ones_sum(out, 20), 0xffff);
  }
}

TEST(TunFits, TheLimitIsTheMtuMinusTheOuterHeader) {
  bytes at = packet_builder().ipv4("10.0.0.1", "10.0.0.100").udp(1, 53).payload_size(1480 - 28).build();
  bytes over = packet_builder().ipv4("10.0.0.1", "10.0.0.100").udp(1, 53).payload_size(1481 - 28).build();
  EXPECT_TRUE(tun_fits(view(at).ip, k_link_mtu));
  EXPECT_FALSE(tun_fits(view(over).ip, k_link_mtu));
}

// An mbuf over `storage` holding `frame` after `headroom` bytes.
struct fake_mbuf {
  alignas(64) rte_mbuf m{};
  uint8_t storage[2048];
  fake_mbuf(const bytes& frame, uint16_t headroom) {
    m.buf_addr = storage;
    m.buf_len = sizeof storage;
    m.data_off = headroom;
    m.nb_segs = 1;
    m.next = nullptr;
    std::memcpy(storage + headroom, frame.data(), frame.size());
    m.data_len = uint16_t(frame.size());
    m.pkt_len = uint32_t(frame.size());
  }
  bytes data() const {
    const auto* p = rte_pktmbuf_mtod(&m, const uint8_t*);
    return bytes(p, p + m.data_len);
  }
};

TEST(TunEncapsulate, PrependsTheOuterHeaderAndDecrementsOnlyTheInnerTtl) {
  bytes frame = packet_builder().ipv4("10.0.0.1", "10.0.0.100", 64).df().tcp(40000, 80, 0x02)
                    .payload("GET /").build();
  fake_mbuf fm(frame, RTE_PKTMBUF_HEADROOM);
  ipv4_packet p;
  ASSERT_EQ(parse_ipv4(rte_pktmbuf_mtod_offset(&fm.m, uint8_t*, k_ip), uint32_t(frame.size() - k_ip), p),
            std::nullopt);
  ASSERT_TRUE(tun_encapsulate(&fm.m, p, {.src = ip("10.0.1.2"), .dst = ip("10.0.1.11"), .id = 7}));

  const bytes inner = packet_builder().ipv4("10.0.0.1", "10.0.0.100", 63).df().tcp(40000, 80, 0x02)
                          .payload("GET /").build();
  const bytes out = fm.data();
  ASSERT_EQ(out.size(), inner.size() + 20);
  EXPECT_EQ(out[12], 0x08);
  EXPECT_EQ(out[13], 0x00);
  EXPECT_EQ(bytes(out.begin() + 34, out.end()), bytes(inner.begin() + k_ip, inner.end()))
      << "inner packet: only TTL and header checksum changed";
  EXPECT_EQ(out[k_ip + 8], 63);
  EXPECT_EQ(ones_sum(&out[k_ip], 20), 0xffff);
  EXPECT_EQ(fm.m.pkt_len, out.size());
}

TEST(TunEncapsulate, TrimsEthernetPaddingFirst) {
  bytes frame = packet_builder().ipv4("10.0.0.1", "10.0.0.100").tcp(1, 80, 0x02).build();
  frame.resize(60, 0);
  fake_mbuf fm(frame, RTE_PKTMBUF_HEADROOM);
  ipv4_packet p;
  ASSERT_EQ(parse_ipv4(rte_pktmbuf_mtod_offset(&fm.m, uint8_t*, k_ip), 46, p), std::nullopt);
  ASSERT_TRUE(tun_encapsulate(&fm.m, p, {.src = 1, .dst = 2, .id = 0}));
  EXPECT_EQ(fm.m.pkt_len, 14u + 20 + 40);
}

TEST(TunEncapsulate, RefusesWithoutHeadroomAndLeavesThePacketAlone) {
  const bytes frame = packet_builder().ipv4("10.0.0.1", "10.0.0.100", 64).tcp(1, 80, 0x02).build();
  fake_mbuf fm(frame, 19);
  ipv4_packet p;
  ASSERT_EQ(parse_ipv4(rte_pktmbuf_mtod_offset(&fm.m, uint8_t*, k_ip), uint32_t(frame.size() - k_ip), p),
            std::nullopt);
  EXPECT_FALSE(tun_encapsulate(&fm.m, p, {.src = 1, .dst = 2, .id = 0}));
  EXPECT_EQ(fm.data(), frame);
}

TEST(DrRewrite, OnlyTheTtlAndHeaderChecksumChange) {
  bytes f = packet_builder().ipv4("10.0.0.1", "10.0.0.100", 64).df().tcp(40000, 80, 0x02).build();
  dr_rewrite(view(f));
  EXPECT_EQ(f, packet_builder().ipv4("10.0.0.1", "10.0.0.100", 63).df().tcp(40000, 80, 0x02).build());
}

TEST(FragNeeded, QuotesTheHeaderWithOptionsAndEightBytesAndCarriesTheMtu) {
  const bytes opts = {0x01, 0x01, 0x01, 0x00};
  bytes f = packet_builder().ipv4("10.0.0.1", "10.0.0.100").ip_options(opts).df()
                .tcp(40000, 80, 0x10).payload_size(1500 - 44).build();
  uint8_t out[k_frag_needed_max_len];
  const std::size_t n = write_frag_needed(out, view(f).ip, ip("10.0.0.100"), 1480);
  ASSERT_EQ(n, 20u + 8 + 24 + 8);
  EXPECT_EQ(ones_sum(out, 20), 0xffff);
  EXPECT_EQ(be16(out + 2), n);
  EXPECT_EQ(out[9], 1);
  uint32_t src, dst;
  std::memcpy(&src, out + 12, 4);
  std::memcpy(&dst, out + 16, 4);
  EXPECT_EQ(src, ip("10.0.0.100"));
  EXPECT_EQ(dst, ip("10.0.0.1"));
  const uint8_t* icmp = out + 20;
  EXPECT_EQ(icmp[0], 3);
  EXPECT_EQ(icmp[1], 4);
  EXPECT_EQ(be16(icmp + 6), 1480);
  EXPECT_EQ(ones_sum(icmp, n - 20), 0xffff);
  EXPECT_EQ(bytes(icmp + 8, icmp + (n - 20)), bytes(f.begin() + k_ip, f.begin() + k_ip + 24 + 8));
}

TEST(FragNeeded, QuotesLessWhenThePayloadIsShorterThanEightBytes) {
  bytes f = packet_builder().ipv4("10.0.0.1", "10.0.0.100").df().icmp_echo(1, 1).build();
  f[k_ip + 2] = 0;
  f[k_ip + 3] = 24; // shorten the packet to 4 bytes of ICMP: header checksum no longer matters
  rte_ipv4_hdr* h = reinterpret_cast<rte_ipv4_hdr*>(&f[k_ip]);
  uint8_t out[k_frag_needed_max_len];
  EXPECT_EQ(write_frag_needed(out, h, ip("10.0.0.100"), 1480), 20u + 8 + 20 + 4);
}

} // namespace
} // namespace sluice
