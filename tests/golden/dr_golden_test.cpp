// Golden packets for DR forwarding: each row is {name, input interface, input frame, expected
// frames out, expected drop}, run in order on one worker. A DR frame leaves on the backend's link
// with the backend's MAC and the client's IP packet unchanged but for TTL - 1.

#include <gtest/gtest.h>

#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"

namespace sluice::testing {
namespace {

packet_builder client_to(const char* vip, uint8_t ttl = 64) {
  return from_client().ipv4("10.0.0.1", vip, ttl);
}
// What the backend receives: the same packet, one hop older, in a frame from the downlink.
packet_builder at_backend(const std::string& mac, const char* vip) {
  return to_backend(mac).ipv4("10.0.0.1", vip, 63);
}

std::vector<fixture> dr_fixtures() {
  const bytes opts = {0x01, 0x01, 0x01, 0x00}; // NOP NOP NOP EOL
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  return {
      {"tcp syn goes to the first backend's mac, ip packet unchanged but the ttl", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, SYN).build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").df().tcp(40000, 80, SYN).build()}}, {}},
      {"client ack follows its flow", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, ACK, 1001, 10).build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").df().tcp(40000, 80, ACK, 1001, 10).build()}}, {}},
      {"payload is carried unchanged", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, PSH | ACK, 1001, 10).payload(get).build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").df().tcp(40000, 80, PSH | ACK, 1001, 10).payload(get).build()}}, {}},
      {"a second connection goes to the next backend", k_uplink,
       client_to("10.0.0.100").df().tcp(40001, 80, SYN).build(),
       {{k_downlink, at_backend(k_be2, "10.0.0.100").df().tcp(40001, 80, SYN).build()}}, {}},
      {"the backend's own reply reaching the gateway matches no flow (no reply tuple)", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").tcp(80, 40000, SYN | ACK, 9, 1001).build(),
       {}, drop_reason::no_flow},
      {"a full-size df segment fits: dr adds no bytes", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, ACK, 1019, 10).payload_size(1460).build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").df().tcp(40000, 80, ACK, 1019, 10).payload_size(1460).build()}}, {}},
      {"client fin is forwarded", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, FIN | ACK, 2479, 10).build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").df().tcp(40000, 80, FIN | ACK, 2479, 10).build()}}, {}},
      {"client rst is forwarded", k_uplink,
       client_to("10.0.0.100").tcp(40001, 80, RST, 1001).build(),
       {{k_downlink, at_backend(k_be2, "10.0.0.100").tcp(40001, 80, RST, 1001).build()}}, {}},
      {"a syn reusing a closed tuple is scheduled afresh", k_uplink,
       client_to("10.0.0.100").df().tcp(40000, 80, SYN, 5000).build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").df().tcp(40000, 80, SYN, 5000).build()}}, {}},
      {"ip options are carried through", k_uplink,
       client_to("10.0.0.100").ip_options(opts).tcp(40002, 80, SYN).build(),
       {{k_downlink, at_backend(k_be2, "10.0.0.100").ip_options(opts).tcp(40002, 80, SYN).build()}}, {}},
      {"udp keeps its port and checksum", k_uplink,
       client_to("10.0.0.100").udp(50000, 53).payload("q").build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").udp(50000, 53).payload("q").build()}}, {}},
      {"udp without checksum stays without one", k_uplink,
       client_to("10.0.0.100").udp(50001, 53).udp_no_checksum().payload("z").build(),
       {{k_downlink, at_backend(k_be1, "10.0.0.100").udp(50001, 53).udp_no_checksum().payload("z").build()}}, {}},
      {"an any-port service takes any destination port", k_uplink,
       client_to("10.0.0.101").df().tcp(40003, 2222, SYN).build(),
       {{k_downlink, at_backend(k_be2, "10.0.0.101").df().tcp(40003, 2222, SYN).build()}}, {}},
      {"and another port of the same vip", k_uplink,
       client_to("10.0.0.101").df().tcp(40003, 8443, SYN).build(),
       {{k_downlink, at_backend(k_be2, "10.0.0.101").df().tcp(40003, 8443, SYN).build()}}, {}},
      {"udp to the tcp-only any-port vip has no service", k_uplink,
       client_to("10.0.0.101").udp(50002, 53).payload("q").build(), {}, drop_reason::no_service},
      {"a vip port without a service is dropped", k_uplink,
       client_to("10.0.0.100").tcp(40004, 81, SYN).build(), {}, drop_reason::no_service},
      {"a non-syn segment without a flow is dropped", k_uplink,
       client_to("10.0.0.100").tcp(40005, 80, ACK).build(), {}, drop_reason::tcp_not_syn},
      {"ttl 1 is not forwarded: icmp time exceeded from the uplink's address", k_uplink,
       client_to("10.0.0.100", 1).tcp(40006, 80, SYN).build(),
       {{k_uplink, time_exceeded_frame(dataplane_harness::mac_text(k_uplink), k_client, "10.0.0.2",
                                       client_to("10.0.0.100", 1).tcp(40006, 80, SYN).build())}},
       drop_reason::ip_ttl_exceeded},
      {"bad tcp checksum opens no flow", k_uplink,
       [] { bytes f = client_to("10.0.0.100").tcp(40007, 80, SYN).build(); f[k_l4 + 16] ^= 1; return f; }(),
       {}, drop_reason::l4_bad_checksum},
  };
}

TEST(DrGolden, EveryFixtureProducesExactlyItsExpectedFramesAndDrop) {
  dataplane_harness h(direct_config_yaml("dr"));
  run_fixtures(h, dr_fixtures());
}

TEST(DrGolden, AFlowLeavesThroughTheNeighbourEntryItKeeps) {
  dataplane_harness h(far_backend_yaml("dr"));
  run_fixtures(h, kept_neighbour_rows(
                      [](const std::string& mac, bool opening) {
                        return far_segment(at_backend(mac, "10.0.0.100"), opening);
                      },
                      false));
  expect_far_flow_keeps_its_neighbour(h);
}

TEST(DrGolden, FlowsTrackTcpStateFromTheClientSideAlone) {
  dataplane_harness h(direct_config_yaml("dr"));
  h.send(k_uplink, client_to("10.0.0.100").tcp(30000, 80, SYN).build());
  h.send(k_uplink, client_to("10.0.0.100").tcp(30000, 80, ACK, 1001, 1).build());
  uint64_t active = 0, inactive = 0, in = 0, out = 0;
  for (uint32_t slot = 0; slot < 256; ++slot) {
    active += h.stats().backends[slot].active.get();
    inactive += h.stats().backends[slot].inactive.get();
    in += h.stats().backends[slot].in_packets.get();
    out += h.stats().backends[slot].out_packets.get();
  }
  EXPECT_EQ(h.dataplane().flows().size(), 1u);
  EXPECT_EQ(active, 1u) << "the client's ACK alone establishes the connection";
  EXPECT_EQ(inactive, 0u);
  EXPECT_EQ(in, 2u);
  EXPECT_EQ(out, 0u) << "nothing comes back through the gateway";
}

TEST(DrGolden, AFragmentedDatagramReachesItsBackendWholeAndLeavesInFragments) {
  dataplane_harness h(direct_config_yaml("dr"));
  const auto in = fragments_of(client_to("10.0.0.100").ip_id(301).udp(50000, 53).payload_counting(4000).build(), k_mtu_chunk);
  // Only the TTL changes (and the frame's MACs): the same three fragments leave for be1.
  const auto out = fragments_of(at_backend(k_be1, "10.0.0.100").ip_id(301).udp(50000, 53).payload_counting(4000).build(), k_mtu_chunk);
  ASSERT_EQ(in.size(), 3u);
  run_fixtures(h, fragment_rows("dns datagram out of order", k_uplink, in, {2, 0, 1}, sent_on(k_downlink, out)));
  run_fixtures(h, {{"a later datagram of the flow follows it", k_uplink,
                    client_to("10.0.0.100").ip_id(302).udp(50000, 53).payload("q").build(),
                    {{k_downlink, at_backend(k_be1, "10.0.0.100").ip_id(302).udp(50000, 53).payload("q").build()}},
                    std::nullopt}});
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 1u);
  EXPECT_EQ(h.stats().worker.fragments_sent.get(), 3u);
}

} // namespace
} // namespace sluice::testing
