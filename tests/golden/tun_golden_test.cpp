// Golden packets for TUN forwarding: the client's packet (TTL - 1, otherwise untouched) leaves
// on the backend's link inside an IPIP header from the downlink's address to the backend. Rows
// run in order on one worker; outer IDs count up from 0 with each encapsulated packet.

#include <gtest/gtest.h>

#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"

namespace sluice::testing {
namespace {

packet_builder client_to(const char* vip, uint8_t ttl = 64) {
  return from_client().ipv4("10.0.0.1", vip, ttl);
}
// The inner packet as the backend decapsulates it (the Ethernet header is replaced).
packet_builder inner(const char* vip) { return packet_builder().ipv4("10.0.0.1", vip, 63); }

bytes tunnelled(const std::string& be_mac, const char* be, uint16_t id, const packet_builder& in) {
  return ipip_frame(dataplane_harness::mac_text(k_downlink), be_mac, "10.0.1.2", be, id, in.build());
}

std::vector<fixture> tun_fixtures() {
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const bytes opts = {0x01, 0x01, 0x01, 0x00}; // NOP NOP NOP EOL
  // total length 1480: exactly the link MTU once encapsulated; 1481 is one byte over.
  const bytes fits = client_to("10.0.0.100").df().tcp(40000, 80, ACK, 1001, 10).payload_size(1440).build();
  const bytes over_df = client_to("10.0.0.100").df().tcp(40000, 80, ACK, 2441, 10).payload_size(1441).build();
  const bytes over = client_to("10.0.0.100").tcp(40000, 80, ACK, 2441, 10).payload_size(1441).build();
  uint16_t id = 0;
  return {
      {"tcp syn is encapsulated to the first backend, df copied", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, SYN).build(),
       {{k_downlink, tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").df().tcp(40000, 80, SYN))}}, {}},
      {"client ack follows its flow", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, ACK, 1001, 10).build(),
       {{k_downlink, tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").df().tcp(40000, 80, ACK, 1001, 10))}}, {}},
      {"a second connection goes to the next backend", k_uplink,
       client_to("10.0.0.100").df().tcp(40001, 80, SYN).build(),
       {{k_downlink, tunnelled(k_be2, "10.0.1.12", id++, inner("10.0.0.100").df().tcp(40001, 80, SYN))}}, {}},
      {"a packet exactly the mtu once encapsulated is sent", k_uplink, fits,
       {{k_downlink, tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").df().tcp(40000, 80, ACK, 1001, 10).payload_size(1440))}}, {}},
      {"one byte more with df: icmp fragmentation-needed (mtu 1480) to the client", k_uplink, over_df,
       {{k_uplink, frag_needed_frame(up, k_client, "10.0.0.100", 1480, over_df)}}, drop_reason::tun_frag_needed},
      {"one byte more without df: the outer packet leaves in two fragments", k_uplink, over,
       sent_on(k_downlink, fragments_of(tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").tcp(40000, 80, ACK, 2441, 10).payload_size(1441)), k_mtu_chunk)),
       {}},
      {"the backend's own reply reaching the gateway matches no flow (no reply tuple)", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").tcp(80, 40000, SYN | ACK, 9, 1001).build(),
       {}, drop_reason::no_flow},
      {"client fin is forwarded", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, FIN | ACK, 2441, 10).build(),
       {{k_downlink, tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").df().tcp(40000, 80, FIN | ACK, 2441, 10))}}, {}},
      {"client rst is forwarded", k_uplink,
       client_to("10.0.0.100").tcp(40001, 80, RST, 1001).build(),
       {{k_downlink, tunnelled(k_be2, "10.0.1.12", id++, inner("10.0.0.100").tcp(40001, 80, RST, 1001))}}, {}},
      {"ip options stay in the inner header; the outer has none", k_uplink,
       client_to("10.0.0.100").ip_options(opts).tcp(40002, 80, SYN).build(),
       {{k_downlink, tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").ip_options(opts).tcp(40002, 80, SYN))}}, {}},
      {"udp is encapsulated with its port and checksum", k_uplink,
       client_to("10.0.0.100").udp(50000, 53).payload("q").build(),
       {{k_downlink, tunnelled(k_be1, "10.0.1.11", id++, inner("10.0.0.100").udp(50000, 53).payload("q"))}}, {}},
      {"an any-port service takes any destination port", k_uplink,
       client_to("10.0.0.101").df().tcp(40003, 2222, SYN).build(),
       {{k_downlink, tunnelled(k_be2, "10.0.1.12", id++, inner("10.0.0.101").df().tcp(40003, 2222, SYN))}}, {}},
      {"a vip port without a service is dropped", k_uplink,
       client_to("10.0.0.100").tcp(40004, 81, SYN).build(), {}, drop_reason::no_service},
      {"ttl 1 is not forwarded: icmp time exceeded from the uplink's address", k_uplink,
       client_to("10.0.0.100", 1).tcp(40006, 80, SYN).build(),
       {{k_uplink, time_exceeded_frame(dataplane_harness::mac_text(k_uplink), k_client, "10.0.0.2",
                                       client_to("10.0.0.100", 1).tcp(40006, 80, SYN).build())}},
       drop_reason::ip_ttl_exceeded},
  };
}

TEST(TunGolden, EveryFixtureProducesExactlyItsExpectedFramesAndDrop) {
  dataplane_harness h(direct_config_yaml("tun"));
  run_fixtures(h, tun_fixtures());
}

// The outer source stays the downlink's address when the route is skipped for the kept entry.
TEST(TunGolden, AFlowLeavesThroughTheNeighbourEntryItKeeps) {
  dataplane_harness h(far_backend_yaml("tun"));
  uint16_t id = 0; // the rows are built in the order they are sent
  run_fixtures(h, kept_neighbour_rows(
                      [&id](const std::string& mac, bool opening) {
                        return ipip_frame(dataplane_harness::mac_text(k_downlink), mac, "10.0.1.2",
                                          "10.0.1.20", id++,
                                          far_segment(inner("10.0.0.100"), opening));
                      },
                      true));
  expect_far_flow_keeps_its_neighbour(h);
}

TEST(TunGolden, EthernetPaddingIsNotCarriedIntoTheTunnel) {
  dataplane_harness h(direct_config_yaml("tun"));
  bytes padded = client_to("10.0.0.100").df().tcp(40000, 80, SYN).build();
  padded.resize(60, 0); // a 54-byte frame padded to Ethernet's minimum by the sender's NIC
  const auto out = h.send(k_uplink, padded);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].frame,
            tunnelled(k_be1, "10.0.1.11", 0, inner("10.0.0.100").df().tcp(40000, 80, SYN)));
}

TEST(TunGolden, AFragmentedDatagramIsReassembledEncapsulatedAndTheOuterPacketFragmented) {
  dataplane_harness h(direct_config_yaml("tun"));
  const auto in = fragments_of(client_to("10.0.0.100").ip_id(301).udp(50000, 53).payload_counting(4000).build(), k_mtu_chunk);
  // The whole inner datagram in one IPIP packet (outer ID 0, no DF: the fragments had none),
  // cut for the MTU as the backend's stack expects to reassemble it before decapsulating.
  const auto out = fragments_of(tunnelled(k_be1, "10.0.1.11", 0, inner("10.0.0.100").ip_id(301).udp(50000, 53).payload_counting(4000)), k_mtu_chunk);
  ASSERT_EQ(out.size(), 3u);
  run_fixtures(h, fragment_rows("dns datagram, first fragment last", k_uplink, in, {1, 2, 0}, sent_on(k_downlink, out)));
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 1u);
  EXPECT_EQ(h.stats().worker.datagrams_fragmented.get(), 1u);
}

} // namespace
} // namespace sluice::testing
