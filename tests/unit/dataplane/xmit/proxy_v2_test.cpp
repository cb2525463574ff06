// PROXY protocol v2 pieces on byte buffers: the header layout, the sequence mapping in both
// directions, and the reply rewrite (ack, SACK edges, SYN-ACK MSS) keeping the checksum valid.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "dataplane/xmit/proxy_v2.hpp"
#include "tests/support/packet_builder.hpp"
#include "tests/support/packet_view.hpp"

namespace sluice {
namespace {

using testing::bytes;
using testing::ip;
using testing::k_ip;
using testing::packet_builder;
using testing::view;

TEST(ProxyV2, HeaderFollowsTheSpecByteForByte) {
  uint8_t h[k_proxy_v2_ipv4_len];
  write_proxy_v2_ipv4(h, ip("192.168.1.7"), htons(40000), ip("10.0.0.100"), htons(443));
  const bytes want = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
                      0x21, 0x11, 0x00, 0x0c, 192, 168, 1, 7, 10, 0, 0, 100, 0x9c, 0x40, 0x01, 0xbb};
  EXPECT_EQ(bytes(h, h + sizeof h), want);
}

TEST(ProxyV2, SequenceNumbersAfterTheStartMoveByTheHeaderLength) {
  EXPECT_EQ(proxy_seq_to_backend(100, 101, 28), 100u) << "the SYN";
  EXPECT_EQ(proxy_seq_to_backend(101, 101, 28), 101u) << "the header-carrying segment";
  EXPECT_EQ(proxy_seq_to_backend(102, 101, 28), 130u);
  EXPECT_EQ(proxy_seq_to_backend(0xfffffff0u, 0xffffffe0u, 28), 0x0000000cu) << "wraps";
}

TEST(ProxyV2, AcknowledgementsOfTheHeaderAcknowledgeNothingOfTheClients) {
  EXPECT_EQ(proxy_ack_to_client(101, 101, 28), 101u);
  EXPECT_EQ(proxy_ack_to_client(110, 101, 28), 101u);
  EXPECT_EQ(proxy_ack_to_client(129, 101, 28), 101u);
  EXPECT_EQ(proxy_ack_to_client(130, 101, 28), 102u);
  EXPECT_EQ(proxy_ack_to_client(0x20, 0xfffffff0u, 28), 0x4u) << "wraps";
  for (uint32_t seq = 101; seq < 2000; seq += 37)
    EXPECT_EQ(proxy_ack_to_client(proxy_seq_to_backend(seq, 101, 28), 101, 28), seq) << "round trip";
}

TEST(ProxyV2, ReplyRewriteMapsAckSackAndMssAndKeepsTheChecksumValid) {
  // A SYN-ACK with MSS at an even offset and a SACK block at an odd one (after a single NOP):
  // edge 1024 lies inside the header (-> 1001), edge 1280 after it (-> 1252).
  const bytes opts_in = {2, 4, 0x05, 0xb4, 1, 5, 10, 0, 0, 0x04, 0x00, 0, 0, 0x05, 0x00, 0, 0, 0};
  const bytes opts_out = {2, 4, 0x05, 0x98, 1, 5, 10, 0, 0, 0x03, 0xe9, 0, 0, 0x04, 0xe4, 0, 0, 0};
  const bytes in_opts = [&] { bytes o = opts_in; o.resize(20, 0); return o; }();
  const bytes out_opts = [&] { bytes o = opts_out; o.resize(20, 0); return o; }();
  bytes in = packet_builder().ipv4("10.0.1.11", "10.0.1.5").tcp(8080, 1024, 0x12, 9, 2000)
                 .tcp_options(in_opts).build();
  proxy_reply(view(in), 1001, 28);
  EXPECT_EQ(in, packet_builder().ipv4("10.0.1.11", "10.0.1.5").tcp(8080, 1024, 0x12, 9, 1972)
                    .tcp_options(out_opts).build());
}

TEST(ProxyV2, MalformedOptionsAreLeftAlone) {
  const bytes opts = {5, 40, 0, 0, 0, 0, 0, 0}; // a SACK claiming more bytes than the header has
  bytes in = packet_builder().ipv4("10.0.1.11", "10.0.1.5").tcp(8080, 1024, 0x10, 9, 50)
                 .tcp_options(opts).build();
  const bytes before = in;
  proxy_reply(view(in), 1001, 28);
  EXPECT_EQ(in, before);
}

} // namespace
} // namespace sluice
