// Golden packets for NAT forwarding: each row is {name, input interface, input frame, expected
// frames out (interface + exact bytes), expected drop}. Rows run in order on one worker, so flow
// state carries from row to row as it would on the wire.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "tests/golden/harness.hpp"
#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"

namespace sluice::testing {
namespace {

bytes with_ethertype(bytes f, uint8_t hi, uint8_t lo) {
  f[12] = hi;
  f[13] = lo;
  return f;
}
bytes flip(bytes f, std::size_t at) {
  f[at] ^= 0x01;
  return f;
}

std::vector<fixture> nat_fixtures() {
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const std::string down = dataplane_harness::mac_text(k_downlink);
  const bytes opts = {0x01, 0x01, 0x01, 0x00}; // NOP NOP NOP EOL
  const bytes ttl1 = from_client().ipv4("10.0.0.1", "10.0.0.100", 1).tcp(40010, 80, SYN).build();
  // A SYN as sent to be1 (the ip-options connection, still on be1) and the SYN-ACK as sent to the client: what ICMP errors quote.
  const bytes syn_to_be1 = to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40002, 8080, SYN).build();
  const bytes synack_to_client = to_client().ipv4("10.0.0.100", "10.0.0.1", 63).tcp(80, 40002, SYN | ACK, 9, 1001).build();
  const bytes udp_to_be1 = to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).udp(50000, 5353).payload("q").build();
  return {
      {"tcp syn to the vip goes to the first backend", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, SYN).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, SYN).build()}},
       {}},
      {"backend syn-ack returns to the client from the vip", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").tcp(8080, 40000, SYN | ACK, 9, 1001).build(),
       {{k_uplink, to_client().ipv4("10.0.0.100", "10.0.0.1", 63).tcp(80, 40000, SYN | ACK, 9, 1001).build()}},
       {}},
      {"client ack follows its flow", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, ACK, 1001, 10).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, ACK, 1001, 10).build()}},
       {}},
      {"a second connection goes to the next backend", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40001, 80, SYN).build(),
       {{k_downlink, to_backend(k_be2).ipv4("10.0.0.1", "10.0.1.12", 63).tcp(40001, 8080, SYN).build()}},
       {}},
      {"payload is carried unchanged", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, PSH | ACK, 1001, 10).payload("GET / HTTP/1.1\r\n\r\n").build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, PSH | ACK, 1001, 10).payload("GET / HTTP/1.1\r\n\r\n").build()}},
       {}},
      {"client rst is forwarded", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, RST, 1019).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, RST, 1019).build()}},
       {}},
      {"ip options are carried through", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").ip_options(opts).tcp(40002, 80, SYN).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).ip_options(opts).tcp(40002, 8080, SYN).build()}},
       {}},
      {"a syn reusing a closed tuple is scheduled afresh", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, SYN, 5000).build(),
       {{k_downlink, to_backend(k_be2).ipv4("10.0.0.1", "10.0.1.12", 63).tcp(40000, 8080, SYN, 5000).build()}},
       {}},
      {"udp to the vip is translated", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").udp(50000, 53).payload("q").build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).udp(50000, 5353).payload("q").build()}},
       {}},
      {"udp reply returns from the vip", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").udp(5353, 50000).payload("be1:q").build(),
       {{k_uplink, to_client().ipv4("10.0.0.100", "10.0.0.1", 63).udp(53, 50000).payload("be1:q").build()}},
       {}},
      {"udp without checksum stays without one", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").udp(50001, 53).udp_no_checksum().payload("z").build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).udp(50001, 5353).udp_no_checksum().payload("z").build()}},
       {}},
      {"port unreachable from the backend about the client's syn reaches the client from the vip", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.0.1", 0, 64, 3, 3, 0, syn_to_be1),
       {{k_uplink, icmp_error_frame(up, k_client, "10.0.0.100", "10.0.0.1", 0, 63, 3, 3, 0,
                                    from_client().ipv4("10.0.0.1", "10.0.0.100", 63).tcp(40002, 80, SYN).build())}}, {}},
      {"frag-needed from the client about the syn-ack reaches the backend about its own packet", k_uplink,
       icmp_error_frame(k_client, up, "10.0.0.1", "10.0.0.100", 0, 64, 3, 4, 1400, synack_to_client),
       {{k_downlink, icmp_error_frame(down, k_be1, "10.0.0.1", "10.0.1.11", 0, 63, 3, 4, 1400,
                                      from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1", 63).tcp(8080, 40002, SYN | ACK, 9, 1001).build())}}, {}},
      {"time exceeded quoting a whole udp datagram keeps the quoted udp checksum valid", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.0.1", 0, 64, 11, 0, 0, udp_to_be1, 9),
       {{k_uplink, icmp_error_frame(up, k_client, "10.0.0.100", "10.0.0.1", 0, 63, 11, 0, 0,
                                    from_client().ipv4("10.0.0.1", "10.0.0.100", 63).udp(50000, 53).payload("q").build(), 9)}}, {}},
      {"an icmp error about no tracked flow is dropped", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.0.1", 0, 64, 3, 3, 0,
                        to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(49999, 8080, SYN).build()),
       {}, drop_reason::no_flow},
      {"an icmp error quoting fewer than 8 bytes of l4 is malformed", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.0.1", 0, 64, 3, 3, 0, syn_to_be1, 4),
       {}, drop_reason::icmp_error_malformed},
      {"echo request to the vip is answered", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").icmp_echo(7, 1).payload("ping").build(),
       {{k_uplink, to_client().ipv4("10.0.0.100", "10.0.0.1").icmp_echo_reply(7, 1).payload("ping").build()}},
       {}},
      {"echo request to an interface address is answered", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.1.2", 9).icmp_echo(8, 2).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.1.2", "10.0.1.11").icmp_echo_reply(8, 2).build()}},
       {}},
      {"arp for the vip is answered on its link", k_uplink,
       arp_frame(1, k_client, "ff:ff:ff:ff:ff:ff", k_client, "10.0.0.1", "", "10.0.0.100"),
       {{k_uplink, arp_frame(2, up, k_client, up, "10.0.0.100", k_client, "10.0.0.1")}},
       {}},
      {"arp for an interface address is answered", k_downlink,
       arp_frame(1, k_be1, "ff:ff:ff:ff:ff:ff", k_be1, "10.0.1.11", "", "10.0.1.2"),
       {{k_downlink, arp_frame(2, down, k_be1, down, "10.0.1.2", k_be1, "10.0.1.11")}},
       {}},
      {"arp for the vip on another link is ignored", k_downlink,
       arp_frame(1, k_be1, "ff:ff:ff:ff:ff:ff", k_be1, "10.0.1.11", "", "10.0.0.100"),
       {}, drop_reason::arp_not_for_us},
      {"backend without a neighbour entry is resolved first", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(41000, 8443, SYN).build(),
       {{k_downlink, arp_frame(1, down, "ff:ff:ff:ff:ff:ff", down, "10.0.1.2", "", "10.0.1.20")}},
       {}},
      {"the arp reply releases the waiting packet", k_downlink,
       arp_frame(2, "02:00:00:00:0b:20", down, "02:00:00:00:0b:20", "10.0.1.20", down, "10.0.1.2"),
       {{k_downlink, packet_builder().eth(down, "02:00:00:00:0b:20").ipv4("10.0.0.1", "10.0.1.20", 63).tcp(41000, 443, SYN).build()}},
       {}},
      // The flow remembers its neighbour entry (flow::next_hop, kept from the SYN that created
      // it), not the MAC: its later segments go through the entry, and a MAC the entry learns
      // later takes effect on the flow's very next segment.
      {"the flow's next segment goes to the resolved neighbour", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(41000, 8443, ACK, 1, 1).build(),
       {{k_downlink, packet_builder().eth(down, "02:00:00:00:0b:20").ipv4("10.0.0.1", "10.0.1.20", 63).tcp(41000, 443, ACK, 1, 1).build()}},
       {}},
      {"and the one after it too", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(41000, 8443, ACK, 1, 1).build(),
       {{k_downlink, packet_builder().eth(down, "02:00:00:00:0b:20").ipv4("10.0.0.1", "10.0.1.20", 63).tcp(41000, 443, ACK, 1, 1).build()}},
       {}},
      {"the backend's address moves to another mac", k_downlink,
       arp_frame(2, "02:00:00:00:0b:21", down, "02:00:00:00:0b:21", "10.0.1.20", down, "10.0.1.2"),
       {}, {}},
      {"the flow's next segment goes to the new mac", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(41000, 8443, ACK, 1, 1).build(),
       {{k_downlink, packet_builder().eth(down, "02:00:00:00:0b:21").ipv4("10.0.0.1", "10.0.1.20", 63).tcp(41000, 443, ACK, 1, 1).build()}},
       {}},
      {"tcp to a vip port without a service is dropped", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 81, SYN).build(), {},
       drop_reason::no_service},
      {"a non-syn segment without a flow is dropped", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40009, 80, ACK).build(), {},
       drop_reason::tcp_not_syn},
      {"a service whose backends all drain drops new flows", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 82, SYN).build(), {},
       drop_reason::no_backend},
      {"ttl 1 is not forwarded: icmp time exceeded from the uplink's address", k_uplink, ttl1,
       {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", ttl1)}}, drop_reason::ip_ttl_exceeded},
      {"bad ip header checksum", k_uplink,
       flip(from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40011, 80, SYN).build(), k_ip + 10), {},
       drop_reason::ip_bad_checksum},
      {"bad tcp checksum", k_uplink,
       flip(from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40012, 80, SYN).build(), k_l4 + 16), {},
       drop_reason::l4_bad_checksum},
      {"transit traffic without a flow", k_uplink,
       from_client().ipv4("10.0.0.1", "10.9.9.9").tcp(40013, 80, SYN).build(), {},
       drop_reason::no_flow},
      {"tcp to an interface address", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.2").tcp(40014, 22, SYN).build(), {},
       drop_reason::local_delivery_unsupported},
      {"a frame for another mac", k_uplink,
       packet_builder().eth(k_client, k_stranger).ipv4("10.0.0.1", "10.0.0.100").tcp(40015, 80, SYN).build(),
       {}, drop_reason::not_our_mac},
      {"an ipv4 packet in an ipv6 frame", k_uplink,
       with_ethertype(from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(1, 80, SYN).build(), 0x86, 0xdd),
       {}, drop_reason::ip6_bad_version},
      {"an lldp frame", k_uplink,
       with_ethertype(from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(1, 80, SYN).build(), 0x88, 0xcc),
       {}, drop_reason::ethertype_unsupported},
      {"an icmp fragment (only tcp and udp are reassembled)", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").fragment(0, true).icmp_echo(7, 1).payload_size(64).build(),
       {}, drop_reason::ip_fragment},
      {"a truncated frame", k_uplink, bytes{0x02, 0x00, 0x00}, {}, drop_reason::frame_truncated},
  };
}

TEST(NatGolden, EveryFixtureProducesExactlyItsExpectedFramesAndDrop) {
  dataplane_harness h(config_yaml());
  run_fixtures(h, nat_fixtures());
}

TEST(NatGolden, ConnectionCountersFollowTheFlows) {
  dataplane_harness h(config_yaml());
  for (uint16_t port = 30000; port < 30006; ++port)
    h.send(k_uplink, from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(port, 80, SYN).build());
  EXPECT_EQ(h.dataplane().flows().size(), 6u);
  EXPECT_EQ(h.stats().worker.flows_created.get(), 6u);
  // Round robin: three on each backend, all in SYN_RECV (inactive).
  uint64_t conns = 0, inactive = 0;
  for (uint32_t slot = 0; slot < 256; ++slot) {
    conns += h.stats().backends[slot].conns.get();
    inactive += h.stats().backends[slot].inactive.get();
  }
  EXPECT_EQ(conns, 6u);
  EXPECT_EQ(inactive, 6u);
}

TEST(NatGolden, ResetConnectionExpiresOnTheCloseTimeoutNotTheEstablishedOne) {
  // A million flow slots and a one-second tcp_close: the RST moves the flow's timer from the
  // established deadline (900 s) to the close one (pipeline::set_state() re-arms it), and the
  // wheel finds it within a tick, polled as a worker is.
  std::string yaml = config_yaml();
  const std::string dataplane = "flows_per_worker: 1024,";
  yaml.replace(yaml.find(dataplane), dataplane.size(),
               "flows_per_worker: 1048576, timeouts: { tcp_close: 1 },");
  dataplane_harness h(yaml);
  const auto client = [] { return from_client().ipv4("10.0.0.1", "10.0.0.100"); };
  h.send(k_uplink, client().tcp(31000, 80, SYN).build());
  h.send(k_uplink, client().tcp(31000, 80, ACK).build());
  ASSERT_EQ(h.stats().worker.flows_active.get(), 1u);
  h.send(k_uplink, client().tcp(31000, 80, RST).build());
  const auto reset = std::chrono::steady_clock::now();
  auto waited = std::chrono::steady_clock::duration{};
  while (h.dataplane().flows().size() != 0 && waited < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    h.poll();
    waited = std::chrono::steady_clock::now() - reset;
  }
  EXPECT_EQ(h.dataplane().flows().size(), 0u);
  EXPECT_EQ(h.stats().worker.flows_expired.get(), 1u);
  EXPECT_GE(waited, std::chrono::milliseconds(950)) << "not before the close timeout";
  // One tick is at most 1/16 s; the rest is slack for a loaded machine.
  EXPECT_LT(waited, std::chrono::milliseconds(1800));
}

TEST(NatGolden, FragmentedDatagramsReachOneBackendWholeAndLeaveInFragmentsBothWays) {
  dataplane_harness h(fragment_config_yaml());
  // 4000 bytes of UDP payload: 1480 + 1480 + 1048 bytes of IP payload, as the client's stack cuts
  // it for a 1500-byte MTU; the rewritten datagram is cut the same way towards the backend.
  const auto a = fragments_of(bulk_request(50010, 101).payload_counting(4000).build(), k_mtu_chunk);
  const auto a_out = fragments_of(to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).ip_id(101)
                                      .udp(50010, 9001).payload_counting(4000).build(), k_mtu_chunk);
  const auto b = fragments_of(bulk_request(50011, 102).payload_counting(3000).build(), k_mtu_chunk);
  const auto b_out = fragments_of(to_backend(k_be2).ipv4("10.0.0.1", "10.0.1.12", 63).ip_id(102)
                                      .udp(50011, 9001).payload_counting(3000).build(), k_mtu_chunk);
  // The backend's answer to the first flow, fragmented by its own stack.
  const auto r = fragments_of(from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").ip_id(900)
                                  .udp(9001, 50010).payload_counting(3500).build(), k_mtu_chunk);
  const auto r_out = fragments_of(to_client().ipv4("10.0.0.100", "10.0.0.1", 63).ip_id(900)
                                      .udp(9000, 50010).payload_counting(3500).build(), k_mtu_chunk);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(r.size(), 3u);
  std::vector<fixture> rows;
  auto add = [&](std::vector<fixture> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  add(fragment_rows("first flow, middle fragment last", k_uplink, a, {0, 2, 1}, sent_on(k_downlink, a_out)));
  add(fragment_rows("second flow, last fragment first", k_uplink, b, {2, 1, 0}, sent_on(k_downlink, b_out)));
  add(fragment_rows("reply to the first flow", k_downlink, r, {1, 0, 2}, sent_on(k_uplink, r_out)));
  // Cut smaller than the MTU by the sender: the whole datagram fits and leaves in one frame.
  const auto small = fragments_of(bulk_request(50012, 104).payload_counting(1000).build(), 504);
  ASSERT_EQ(small.size(), 2u);
  add(fragment_rows("a datagram in two small fragments", k_uplink, small, {1, 0},
                    {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).ip_id(104)
                                      .udp(50012, 9001).payload_counting(1000).build()}}));
  rows.push_back({"a later unfragmented datagram of the first flow follows it to be1", k_uplink,
                  bulk_request(50010, 103).payload("again").build(),
                  {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).ip_id(103)
                                    .udp(50010, 9001).payload("again").build()}}, std::nullopt});
  run_fixtures(h, rows);
  const worker_counters& c = h.stats().worker;
  EXPECT_EQ(c.datagrams_reassembled.get(), 4u);
  EXPECT_EQ(c.datagrams_fragmented.get(), 3u);
  EXPECT_EQ(c.fragments_sent.get(), 9u);
  EXPECT_EQ(h.stats().services[h.service_slot("bulk")].conns.get(), 3u);
}

// `frame` (a fragment) with its offset, MF and length changed and the header checksum fixed.
bytes reshaped(bytes frame, std::size_t offset, bool more, std::size_t payload_len) {
  const std::size_t ihl = (frame[k_ip] & 0x0f) * 4u;
  frame.resize(k_ip + ihl + payload_len, 0x33);
  set_fragment_fields(frame, ihl, uint16_t(ihl + payload_len),
                      uint16_t((more ? 0x2000 : 0) | offset / 8));
  return frame;
}

TEST(NatGolden, BadFragmentsDropTheirWholeDatagramUnderANamedReason) {
  dataplane_harness h(fragment_config_yaml());
  auto datagram = [](uint16_t id, std::size_t len) {
    return fragments_of(bulk_request(50020, id).payload_counting(len).build(), k_mtu_chunk);
  };
  auto expect_drops = [&](const char* what, const bytes& frame, drop_reason r, uint64_t n) {
    SCOPED_TRACE(what);
    const uint64_t before = h.drops(r);
    EXPECT_TRUE(h.send(k_uplink, frame).empty());
    EXPECT_EQ(h.drops(r) - before, n);
  };
  // Overlap: a second piece starting 8 bytes inside the first drops both.
  const auto o = datagram(201, 4000);
  expect_drops("first fragment of the overlapped datagram", o[0], drop_reason::ip_frag_overlap, 0);
  expect_drops("overlapping fragment", reshaped(o[1], 1472, true, 1480), drop_reason::ip_frag_overlap, 2);
  // The rest of the datagram then starts a new, incomplete one and is sent nowhere.
  expect_drops("the last fragment after the overlap", o[2], drop_reason::ip_frag_overlap, 0);
  // An exact duplicate is an overlap too.
  const auto d = datagram(202, 4000);
  expect_drops("fragment", d[1], drop_reason::ip_frag_overlap, 0);
  expect_drops("its duplicate", d[1], drop_reason::ip_frag_overlap, 2);
  // Not a multiple of 8 bytes before the last: refused alone.
  expect_drops("odd-length first fragment", reshaped(datagram(203, 4000)[0], 0, true, 1001),
               drop_reason::ip_frag_malformed, 1);
  // Beyond what any reassembly buffer holds.
  expect_drops("fragment ending past 65,333 bytes", reshaped(datagram(204, 4000)[2], 65000, false, 400),
               drop_reason::ip_frag_too_big, 1);
  // 65 pieces of 8 bytes: the 65th drops all of them.
  const auto many = fragments_of(bulk_request(50020, 205).payload_counting(600).build(), 8);
  for (std::size_t i = 0; i < 64; ++i) ASSERT_TRUE(h.send(k_uplink, many[i]).empty());
  expect_drops("65th fragment", many[64], drop_reason::ip_frag_too_many, 65);
  // Nothing reassembled, nothing sent, and the flow was never opened.
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 0u);
  EXPECT_EQ(h.dataplane().flows().size(), 0u);
}

TEST(NatGolden, AFullReassemblyTableRefusesNewDatagramsButCompletesHeldOnes) {
  dataplane_harness h(fragment_config_yaml());
  std::vector<std::vector<bytes>> held;
  for (uint16_t id = 1; id <= 64; ++id) {
    held.push_back(fragments_of(bulk_request(50030, id).payload_counting(2000).build(), k_mtu_chunk));
    ASSERT_TRUE(h.send(k_uplink, held.back()[0]).empty());
  }
  const auto extra = fragments_of(bulk_request(50030, 65).payload_counting(2000).build(), k_mtu_chunk);
  const uint64_t full = h.drops(drop_reason::ip_frag_table_full);
  EXPECT_TRUE(h.send(k_uplink, extra[0]).empty());
  EXPECT_EQ(h.drops(drop_reason::ip_frag_table_full), full + 1);
  // A held datagram still completes, and frees its slot for the refused one.
  EXPECT_EQ(h.send(k_uplink, held[0][1]).size(), 2u);
  EXPECT_TRUE(h.send(k_uplink, extra[0]).empty());
  EXPECT_EQ(h.send(k_uplink, extra[1]).size(), 2u);
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 2u);
}

} // namespace
} // namespace sluice::testing
