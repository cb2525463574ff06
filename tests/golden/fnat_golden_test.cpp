// Golden packets for full-NAT forwarding: towards a backend the client's packet leaves from a
// local address and port (10.0.1.5, or the downlink's own address for a service without
// local_addresses), replies to that local endpoint return to the client from the VIP. Rows run in
// order on one worker, whose local ports are handed out from 1024 upwards, one per new flow.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "dataplane/xmit/fnat.hpp"
#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"

namespace sluice::testing {
namespace {

// web: TCP 80 over be1 and be2 (rr) from 10.0.1.5; dns: UDP 53 on be1 from 10.0.1.5; plain: TCP
// 80 of 10.0.0.101 on be2 without local_addresses (the downlink's address, 10.0.1.2).
std::string fnat_config_yaml(unsigned flows = 1024) {
  return lab_yaml_head(flows) + R"(  - { name: web, address: 10.0.0.100, port: 80, protocol: tcp, forwarding: fnat,
      local_addresses: [10.0.1.5],
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: dns, address: 10.0.0.100, port: 53, protocol: udp, forwarding: fnat,
      local_addresses: [10.0.1.5], backends: [{ address: 10.0.1.11, port: 5353 }] }
  - { name: plain, address: 10.0.0.101, port: 80, protocol: tcp, forwarding: fnat,
      backends: [{ address: 10.0.1.12, port: 8080 }] }
)";
}

packet_builder client(uint8_t ttl = 64) { return from_client().ipv4("10.0.0.1", "10.0.0.100", ttl); }
packet_builder to_be(const std::string& mac, const char* be, const char* local = "10.0.1.5") {
  return to_backend(mac).ipv4(local, be, 63);
}
packet_builder reply(const std::string& mac, const char* be, const char* local = "10.0.1.5") {
  return from_backend(mac).ipv4(be, local);
}
packet_builder to_cl(const char* vip = "10.0.0.100") { return to_client().ipv4(vip, "10.0.0.1", 63); }

std::vector<fixture> fnat_fixtures() {
  const std::string down = dataplane_harness::mac_text(k_downlink);
  const std::string up = dataplane_harness::mac_text(k_uplink);
  return {
      {"tcp syn leaves from the local address and the first local port to the first backend", k_uplink,
       client().tcp(40000, 80, SYN, 100).build(),
       {{k_downlink, to_be(k_be1, "10.0.1.11").tcp(1024, 8080, SYN, 100).build()}}, {}},
      {"the backend's syn-ack to the local port returns to the client from the vip", k_downlink,
       reply(k_be1, "10.0.1.11").tcp(8080, 1024, SYN | ACK, 9, 101).build(),
       {{k_uplink, to_cl().tcp(80, 40000, SYN | ACK, 9, 101).build()}}, {}},
      {"client ack follows its flow", k_uplink,
       client().tcp(40000, 80, ACK, 101, 10).build(),
       {{k_downlink, to_be(k_be1, "10.0.1.11").tcp(1024, 8080, ACK, 101, 10).build()}}, {}},
      {"payload is carried unchanged", k_uplink,
       client().tcp(40000, 80, PSH | ACK, 101, 10).payload("GET / HTTP/1.1\r\n\r\n").build(),
       {{k_downlink, to_be(k_be1, "10.0.1.11").tcp(1024, 8080, PSH | ACK, 101, 10).payload("GET / HTTP/1.1\r\n\r\n").build()}}, {}},
      {"a second connection takes the next backend and the next local port", k_uplink,
       client().tcp(40001, 80, SYN, 500).build(),
       {{k_downlink, to_be(k_be2, "10.0.1.12").tcp(1025, 8080, SYN, 500).build()}}, {}},
      {"backend fin returns to the client", k_downlink,
       reply(k_be1, "10.0.1.11").tcp(8080, 1024, FIN | ACK, 10, 119).build(),
       {{k_uplink, to_cl().tcp(80, 40000, FIN | ACK, 10, 119).build()}}, {}},
      {"client fin is forwarded", k_uplink,
       client().tcp(40000, 80, FIN | ACK, 119, 11).build(),
       {{k_downlink, to_be(k_be1, "10.0.1.11").tcp(1024, 8080, FIN | ACK, 119, 11).build()}}, {}},
      {"client rst is forwarded on the second connection", k_uplink,
       client().tcp(40001, 80, RST, 501).build(),
       {{k_downlink, to_be(k_be2, "10.0.1.12").tcp(1025, 8080, RST, 501).build()}}, {}},
      {"backend rst on the first connection returns to the client", k_downlink,
       reply(k_be1, "10.0.1.11").tcp(8080, 1024, RST, 11).build(),
       {{k_uplink, to_cl().tcp(80, 40000, RST, 11).build()}}, {}},
      {"udp leaves from the local address", k_uplink,
       client().udp(50000, 53).payload("q").build(),
       {{k_downlink, to_be(k_be1, "10.0.1.11").udp(1026, 5353).payload("q").build()}}, {}},
      {"udp reply returns from the vip", k_downlink,
       reply(k_be1, "10.0.1.11").udp(5353, 1026).payload("be1:q").build(),
       {{k_uplink, to_cl().udp(53, 50000).payload("be1:q").build()}}, {}},
      {"udp without checksum stays without one", k_uplink,
       client().udp(50001, 53).udp_no_checksum().payload("z").build(),
       {{k_downlink, to_be(k_be1, "10.0.1.11").udp(1027, 5353).udp_no_checksum().payload("z").build()}}, {}},
      {"without local_addresses the downlink's own address is the source", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.101").tcp(40002, 80, SYN).build(),
       {{k_downlink, to_be(k_be2, "10.0.1.12", "10.0.1.2").tcp(1028, 8080, SYN).build()}}, {}},
      {"the reply to the interface address returns from that service's vip", k_downlink,
       reply(k_be2, "10.0.1.12", "10.0.1.2").tcp(8080, 1028, SYN | ACK, 3, 1001).build(),
       {{k_uplink, to_cl("10.0.0.101").tcp(80, 40002, SYN | ACK, 3, 1001).build()}}, {}},
      {"arp for the local address is answered on the backends' link", k_downlink,
       arp_frame(1, k_be1, "ff:ff:ff:ff:ff:ff", k_be1, "10.0.1.11", "", "10.0.1.5"),
       {{k_downlink, arp_frame(2, down, k_be1, down, "10.0.1.5", k_be1, "10.0.1.11")}}, {}},
      {"echo request to the local address is answered", k_downlink,
       reply(k_be1, "10.0.1.11").icmp_echo(3, 1).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.1.5", "10.0.1.11").icmp_echo_reply(3, 1).build()}}, {}},
      {"a reply to a local port without a flow is dropped", k_downlink,
       reply(k_be1, "10.0.1.11").tcp(8080, 4000, ACK).build(), {}, drop_reason::no_flow},
      {"a reply from another backend to a used local port is no flow of ours", k_downlink,
       reply(k_be2, "10.0.1.12").tcp(8080, 1026, ACK).build(), {}, drop_reason::no_flow},
      {"tcp to the interface address without a flow stays undeliverable", k_downlink,
       reply(k_be1, "10.0.1.11", "10.0.1.2").tcp(8080, 22, SYN).build(), {},
       drop_reason::local_delivery_unsupported},
      {"a backend answering the client directly (nat-style) matches no flow", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").tcp(8080, 40000, ACK, 12, 120).build(), {},
       drop_reason::no_flow},
      {"ttl 1 towards the local address: time exceeded from the downlink's address", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.1.5", 1).udp(5353, 1026).payload("x").build(),
       {{k_downlink, time_exceeded_frame(down, k_be1, "10.0.1.2",
                                         from_backend(k_be1).ipv4("10.0.1.11", "10.0.1.5", 1).udp(5353, 1026).payload("x").build())}},
       drop_reason::ip_ttl_exceeded},
      {"port unreachable from the backend about a local-address datagram reaches the client, fully untranslated", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.1.5", 0, 64, 3, 3, 0,
                        to_be(k_be1, "10.0.1.11").udp(1026, 5353).payload("q").build()),
       {{k_uplink, icmp_error_frame(up, k_client, "10.0.0.100", "10.0.0.1", 0, 63, 3, 3, 0,
                                    from_client().ipv4("10.0.0.1", "10.0.0.100", 63).udp(50000, 53).payload("q").build())}}, {}},
      {"frag-needed from the client about a reply reaches the backend from the local address", k_uplink,
       icmp_error_frame(k_client, up, "10.0.0.1", "10.0.0.100", 0, 64, 3, 4, 1400,
                        to_cl().udp(53, 50000).payload("be1:q").build()),
       {{k_downlink, icmp_error_frame(down, k_be1, "10.0.1.5", "10.0.1.11", 0, 63, 3, 4, 1400,
                                      from_backend(k_be1).ipv4("10.0.1.11", "10.0.1.5", 63).udp(5353, 1026).payload("be1:q").build())}}, {}},
      {"an icmp error about a local port without a flow is dropped", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.1.5", 0, 64, 3, 3, 0,
                        to_be(k_be1, "10.0.1.11").udp(4000, 5353).payload("q").build()),
       {}, drop_reason::no_flow},
      {"a vip port without a service is dropped", k_uplink,
       client().tcp(40004, 81, SYN).build(), {}, drop_reason::no_service},
  };
}

TEST(FnatGolden, EveryFixtureProducesExactlyItsExpectedFramesAndDrop) {
  dataplane_harness h(fnat_config_yaml());
  run_fixtures(h, fnat_fixtures());
}

// The local port in a frame the gateway sent to a backend.
uint16_t local_port_of(const bytes& frame) { return uint16_t(frame[k_l4] << 8 | frame[k_l4 + 1]); }

TEST(FnatGolden, RepliesReachTheOwnerThroughTheLocalPortWithoutAHandoff) {
  dataplane_harness h(fnat_config_yaml(), 2);
  for (unsigned i = 0; i < 24; ++i) {
    const std::string c = "192.168.0." + std::to_string(i + 1);
    SCOPED_TRACE(c);
    const unsigned owner = flow_owner(ip(c.c_str()), 2);
    const auto fwd = h.send(k_uplink, from_client().ipv4(c.c_str(), "10.0.0.100").tcp(40000, 80, SYN).build(), i % 2);
    ASSERT_EQ(fwd.size(), 1u);
    const uint16_t lport = local_port_of(fwd[0].frame);
    EXPECT_EQ(lport % 2, owner) << "the owner hands out only its own ports";
    const bool be1 = fwd[0].frame == to_be(k_be1, "10.0.1.11").tcp(lport, 8080, SYN).build();
    ASSERT_TRUE(be1 || fwd[0].frame == to_be(k_be2, "10.0.1.12").tcp(lport, 8080, SYN).build());
    const uint64_t handed_before = h.stats(0).worker.handoff_out.get() + h.stats(1).worker.handoff_out.get();
    // The reply arrives on the owner's queue: nothing is handed over.
    const auto rev = h.send(k_downlink, reply(be1 ? k_be1 : k_be2, be1 ? "10.0.1.11" : "10.0.1.12").tcp(8080, lport, SYN | ACK, 7, 1001).build(), owner);
    EXPECT_EQ(rev, (std::vector<sent_frame>{{k_uplink, to_client().ipv4("10.0.0.100", c.c_str(), 63).tcp(80, 40000, SYN | ACK, 7, 1001).build()}}));
    EXPECT_EQ(h.stats(0).worker.handoff_out.get() + h.stats(1).worker.handoff_out.get(), handed_before);
    // The same reply on the other queue is handed to the owner and translated the same way.
    const auto again = h.send(k_downlink, reply(be1 ? k_be1 : k_be2, be1 ? "10.0.1.11" : "10.0.1.12").tcp(8080, lport, ACK, 8, 1001).build(), 1 - owner);
    EXPECT_EQ(again, (std::vector<sent_frame>{{k_uplink, to_client().ipv4("10.0.0.100", c.c_str(), 63).tcp(80, 40000, ACK, 8, 1001).build()}}));
    EXPECT_EQ(h.stats(1 - owner).worker.handoff_out.get() + h.stats(owner).worker.handoff_out.get(), handed_before + 1);
  }
  EXPECT_GT(h.dataplane(0).flows().size(), 0u);
  EXPECT_GT(h.dataplane(1).flows().size(), 0u);
  for (const auto& [reason, n] : h.drop_counts()) EXPECT_EQ(n, 0u) << reason;
}

TEST(FnatGolden, WhenEveryLocalPortIsTakenNewFlowsAreDroppedAsPortExhaustion) {
  // One worker owns 64512 ports (1024..65535) towards the single backend of "dns" via 10.0.1.5.
  dataplane_harness h(fnat_config_yaml(70000));
  const uint32_t ports = 65536 - k_fnat_first_port;
  for (uint32_t i = 0; i < ports; ++i) {
    const auto out = h.send(k_uplink, from_client().ipv4("172.16.0.1", "10.0.0.100").udp(uint16_t(1 + i), 53).payload("q").build());
    ASSERT_EQ(out.size(), 1u) << i;
  }
  EXPECT_EQ(h.dataplane().flows().size(), ports);
  const auto out = h.send(k_uplink, from_client().ipv4("172.31.0.1", "10.0.0.100").udp(5000, 53).payload("q").build());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(h.drops(drop_reason::fnat_no_local_port), 1u);
  // Local ports are only exhausted per backend endpoint: be1:8080 over TCP still has them all.
  EXPECT_EQ(h.send(k_uplink, client().tcp(40000, 80, SYN).build()).size(), 1u);
}

// The worker schedules a burst's new flows, full-NAT ones with their first local endpoint, before
// it inserts any (pipeline::plan_new_flows()).
TEST(FnatGolden, NewFlowsOfOneBurstTakeLocalPortsInArrivalOrderAndEveryReplyFindsItsFlow) {
  dataplane_harness h(fnat_config_yaml());
  const auto plain = [](uint16_t port) {
    return from_client().ipv4("10.0.0.1", "10.0.0.101").tcp(port, 80, SYN);
  };
  // Two flows to be1:5353 among them, and a SYN repeated in the burst (on its first's flow).
  const std::vector<bytes> burst = {
      client().tcp(40000, 80, SYN).build(), client().tcp(40001, 80, SYN).build(),
      client().udp(50000, 53).payload("a").build(), client().udp(50001, 53).payload("b").build(),
      plain(40002).build(), client().tcp(40000, 80, SYN).build(),
      client().tcp(40003, 80, SYN).build()};
  EXPECT_EQ(h.send_burst(k_uplink, burst),
            sent_on(k_downlink, {to_be(k_be1, "10.0.1.11").tcp(1024, 8080, SYN).build(),
                                 to_be(k_be2, "10.0.1.12").tcp(1025, 8080, SYN).build(),
                                 to_be(k_be1, "10.0.1.11").udp(1026, 5353).payload("a").build(),
                                 to_be(k_be1, "10.0.1.11").udp(1027, 5353).payload("b").build(),
                                 to_be(k_be2, "10.0.1.12", "10.0.1.2").tcp(1028, 8080, SYN).build(),
                                 to_be(k_be1, "10.0.1.11").tcp(1024, 8080, SYN).build(),
                                 to_be(k_be1, "10.0.1.11").tcp(1029, 8080, SYN).build()}));
  const std::vector<bytes> replies = {
      reply(k_be1, "10.0.1.11").tcp(8080, 1024, SYN | ACK, 7, 1).build(),
      reply(k_be2, "10.0.1.12").tcp(8080, 1025, SYN | ACK, 7, 1).build(),
      reply(k_be1, "10.0.1.11").udp(5353, 1026).payload("A").build(),
      reply(k_be1, "10.0.1.11").udp(5353, 1027).payload("B").build(),
      reply(k_be2, "10.0.1.12", "10.0.1.2").tcp(8080, 1028, SYN | ACK, 7, 1).build(),
      reply(k_be1, "10.0.1.11").tcp(8080, 1029, SYN | ACK, 7, 1).build()};
  EXPECT_EQ(h.send_burst(k_downlink, replies),
            sent_on(k_uplink, {to_cl().tcp(80, 40000, SYN | ACK, 7, 1).build(),
                               to_cl().tcp(80, 40001, SYN | ACK, 7, 1).build(),
                               to_cl().udp(53, 50000).payload("A").build(),
                               to_cl().udp(53, 50001).payload("B").build(),
                               to_cl("10.0.0.101").tcp(80, 40002, SYN | ACK, 7, 1).build(),
                               to_cl().tcp(80, 40003, SYN | ACK, 7, 1).build()}));
  EXPECT_EQ(h.stats().worker.flows_created.get(), 6u);
  for (const auto& [reason, n] : h.drop_counts()) EXPECT_EQ(n, 0u) << reason;
}

TEST(FnatGolden, APlannedLocalPortFoundTakenAtInsertGivesWayToTheNextCandidate) {
  dataplane_harness h(fnat_config_yaml(70000));
  // dns takes 10.0.1.5:1024 towards be1:5353; web's SYNs take every other port, so the cursor
  // comes round to 1024 again.
  ASSERT_EQ(h.send(k_uplink, client().udp(50000, 53).payload("q").build()).size(), 1u);
  const uint32_t ports = 65536 - k_fnat_first_port;
  for (uint32_t sent = 1; sent < ports;) {
    std::vector<bytes> burst;
    for (; burst.size() < worker::k_burst && sent < ports; ++sent)
      burst.push_back(from_client().ipv4("172.16.0.1", "10.0.0.100").tcp(uint16_t(sent), 80, SYN).build());
    ASSERT_EQ(h.send_burst(k_uplink, burst).size(), burst.size()) << sent;
  }
  // Both are planned (1024 and 1025, in order). 1024 is dns's to be1:5353 already: the first
  // flow draws the next candidate, 1026, while the second keeps its own.
  EXPECT_EQ(h.send_burst(k_uplink, {client().udp(50001, 53).payload("a").build(),
                                    client().udp(50002, 53).payload("b").build()}),
            sent_on(k_downlink, {to_be(k_be1, "10.0.1.11").udp(1026, 5353).payload("a").build(),
                                 to_be(k_be1, "10.0.1.11").udp(1025, 5353).payload("b").build()}));
  EXPECT_EQ(h.send_burst(k_downlink, {reply(k_be1, "10.0.1.11").udp(5353, 1024).payload("Q").build(),
                                      reply(k_be1, "10.0.1.11").udp(5353, 1025).payload("B").build(),
                                      reply(k_be1, "10.0.1.11").udp(5353, 1026).payload("A").build()}),
            sent_on(k_uplink, {to_cl().udp(53, 50000).payload("Q").build(),
                               to_cl().udp(53, 50002).payload("B").build(),
                               to_cl().udp(53, 50001).payload("A").build()}));
  EXPECT_EQ(h.dataplane().flows().size(), ports + 2);
  for (const auto& [reason, n] : h.drop_counts()) EXPECT_EQ(n, 0u) << reason;
}

TEST(FnatGolden, ANewFlowWithoutALocalAddressInABurstIsDroppedWithoutTakingAPortOrASecondTurn) {
  // No gateway: 10.0.2.11 is reached by no interface, so a flow to it has no local address.
  std::string head = lab_yaml_head();
  const std::size_t gw = head.find("    gateway:");
  head.erase(gw, head.find('\n', gw) + 1 - gw);
  dataplane_harness h(head + R"(  - { name: far, address: 10.0.0.102, port: 80, protocol: tcp, forwarding: fnat,
      backends: [{ address: 10.0.2.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
)");
  const auto syn = [](uint16_t port) {
    return from_client().ipv4("10.0.0.1", "10.0.0.102").tcp(port, 80, SYN).build();
  };
  // rr alternates 10.0.2.11 and be2: the 1st and 3rd flows are dropped; be2's flows take the
  // first two ports. Scheduled again at insert, the 3rd would be be2's.
  EXPECT_EQ(h.send_burst(k_uplink, {syn(40000), syn(40001), syn(40002), syn(40003)}),
            sent_on(k_downlink, {to_be(k_be2, "10.0.1.12", "10.0.1.2").tcp(1024, 8080, SYN).build(),
                                 to_be(k_be2, "10.0.1.12", "10.0.1.2").tcp(1025, 8080, SYN).build()}));
  EXPECT_EQ(h.drops(drop_reason::fnat_no_local_port), 2u);
  EXPECT_EQ(h.stats().worker.flows_created.get(), 2u);
  const uint32_t be2 = h.backend_slot("far", "10.0.1.12");
  const uint32_t far = h.backend_slot("far", "10.0.2.11");
  EXPECT_EQ(h.stats().backends[be2].inactive.get(), 2u);
  EXPECT_EQ(h.stats().backends[far].inactive.get(), 0u) << "the dropped flows are counted nowhere";
}

} // namespace
} // namespace sluice::testing

namespace sluice::testing {
namespace {

// proxied: TCP 81 on be1:8081 via 10.0.1.5 with a PROXY v2 header.
std::string proxy_config_yaml() {
  return lab_yaml_head() + R"(  - { name: proxied, address: 10.0.0.100, port: 81, protocol: tcp, forwarding: fnat,
      local_addresses: [10.0.1.5], proxy_protocol: v2, backends: [{ address: 10.0.1.11, port: 8081 }] }
)";
}

// The PROXY v2 header for TCP over IPv4 from client:cport to 10.0.0.100:81, from the spec's
// byte layout (proxy-protocol.txt 2.2), independently of the code under test.
bytes proxy_header(uint16_t cport) {
  bytes h = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
             0x21, 0x11, 0x00, 0x0c, 10, 0, 0, 1, 10, 0, 0, 100};
  h.insert(h.end(), {uint8_t(cport >> 8), uint8_t(cport), 0, 81});
  return h;
}
std::string text(const bytes& b) { return std::string(b.begin(), b.end()); }

std::vector<fixture> proxy_fixtures() {
  const std::string down = dataplane_harness::mac_text(k_downlink);
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const bytes mss1460 = {2, 4, 0x05, 0xb4}, mss1432 = {2, 4, 0x05, 0x98};
  // NOP NOP SACK with one block: edges in the backend's view, then in the client's.
  const bytes sack_be = {1, 1, 5, 10, 0, 0, 0, 147, 0, 0, 0, 151};
  const bytes sack_cl = {1, 1, 5, 10, 0, 0, 0, 119, 0, 0, 0, 123};
  const std::string get = "GET / HTTP/1.0\r\n\r\n"; // 18 bytes: client data is 101..118
  const std::string with_header = text(proxy_header(40000)) + get;
  auto c_tcp = [](uint16_t port, uint8_t flags, uint32_t seq, uint32_t ack) {
    return from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(port, 81, flags, seq, ack);
  };
  auto be_tcp = [](uint16_t lport, uint8_t flags, uint32_t seq, uint32_t ack) {
    return to_be(k_be1, "10.0.1.11").tcp(lport, 8081, flags, seq, ack);
  };
  auto from_be = [](uint8_t flags, uint32_t seq, uint32_t ack) {
    return reply(k_be1, "10.0.1.11").tcp(8081, 1024, flags, seq, ack);
  };
  auto to_c = [](uint8_t flags, uint32_t seq, uint32_t ack) {
    return to_cl().tcp(81, 40000, flags, seq, ack);
  };
  return {
      {"the syn is forwarded unchanged but for full-nat", k_uplink,
       c_tcp(40000, SYN, 100, 0).tcp_options(mss1460).build(),
       {{k_downlink, be_tcp(1024, SYN, 100, 0).tcp_options(mss1460).build()}}, {}},
      {"the backend's syn-ack announces 28 bytes less mss to the client", k_downlink,
       from_be(SYN | ACK, 9000, 101).tcp_options(mss1460).build(),
       {{k_uplink, to_c(SYN | ACK, 9000, 101).tcp_options(mss1432).build()}}, {}},
      {"the handshake ack carries no data and keeps its sequence number", k_uplink,
       c_tcp(40000, ACK, 101, 9001).build(), {{k_downlink, be_tcp(1024, ACK, 101, 9001).build()}}, {}},
      {"the first data segment gets the header in front of its data", k_uplink,
       c_tcp(40000, PSH | ACK, 101, 9001).payload(get).build(),
       {{k_downlink, be_tcp(1024, PSH | ACK, 101, 9001).payload(with_header).build()}}, {}},
      {"the backend's ack of header and data is mapped back to the client's data", k_downlink,
       from_be(ACK, 9001, 147).build(), {{k_uplink, to_c(ACK, 9001, 119).build()}}, {}},
      {"backend data keeps its sequence number, its ack is mapped", k_downlink,
       from_be(PSH | ACK, 9001, 147).payload("HTTP/1.0 200 OK\r\n").build(),
       {{k_uplink, to_c(PSH | ACK, 9001, 119).payload("HTTP/1.0 200 OK\r\n").build()}}, {}},
      {"later client data is shifted by the header length", k_uplink,
       c_tcp(40000, PSH | ACK, 119, 9018).payload("more").build(),
       {{k_downlink, be_tcp(1024, PSH | ACK, 147, 9018).payload("more").build()}}, {}},
      {"a retransmitted first segment gets the header again", k_uplink,
       c_tcp(40000, PSH | ACK, 101, 9018).payload(get).build(),
       {{k_downlink, be_tcp(1024, PSH | ACK, 101, 9018).payload(with_header).build()}}, {}},
      {"sack edges are mapped back; an ack of just the header acknowledges nothing", k_downlink,
       from_be(ACK, 9018, 129).tcp_options(sack_be).build(),
       {{k_uplink, to_c(ACK, 9018, 101).tcp_options(sack_cl).build()}}, {}},
      {"an ack inside the header acknowledges nothing", k_downlink,
       from_be(ACK, 9018, 110).build(), {{k_uplink, to_c(ACK, 9018, 101).build()}}, {}},
      // ICMP errors quote the sender's view of the sequence space, mapped like the data path.
      {"an icmp error about a shifted segment reaches the client quoting its own sequence number", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.1.5", 0, 64, 3, 4, 1400,
                        be_tcp(1024, PSH | ACK, 147, 9018).payload("more").build(), 20),
       {{k_uplink, icmp_error_frame(up, k_client, "10.0.0.100", "10.0.0.1", 0, 63, 3, 4, 1400,
                                    from_client().ipv4("10.0.0.1", "10.0.0.100", 63).tcp(40000, 81, PSH | ACK, 119, 9018).payload("more").build(), 20)}}, {}},
      {"the same with only 8 bytes of tcp quoted", k_downlink,
       icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.1.5", 0, 64, 3, 4, 1400,
                        be_tcp(1024, PSH | ACK, 147, 9018).payload("more").build()),
       {{k_uplink, icmp_error_frame(up, k_client, "10.0.0.100", "10.0.0.1", 0, 63, 3, 4, 1400,
                                    from_client().ipv4("10.0.0.1", "10.0.0.100", 63).tcp(40000, 81, PSH | ACK, 119, 9018).payload("more").build())}}, {}},
      {"an icmp error from the client about a reply reaches the backend quoting its own ack", k_uplink,
       icmp_error_frame(k_client, up, "10.0.0.1", "10.0.0.100", 0, 64, 3, 4, 1400,
                        to_c(PSH | ACK, 9001, 119).payload("HTTP/1.0 200 OK\r\n").build(), 20),
       {{k_downlink, icmp_error_frame(down, k_be1, "10.0.1.5", "10.0.1.11", 0, 63, 3, 4, 1400,
                                      from_backend(k_be1).ipv4("10.0.1.11", "10.0.1.5", 63).tcp(8081, 1024, PSH | ACK, 9001, 147).payload("HTTP/1.0 200 OK\r\n").build(), 20)}}, {}},
      {"the client's fin is shifted too", k_uplink,
       c_tcp(40000, FIN | ACK, 123, 9018).build(), {{k_downlink, be_tcp(1024, FIN | ACK, 151, 9018).build()}}, {}},
      {"a second connection's syn takes the next local port", k_uplink,
       c_tcp(40001, SYN, 7000, 0).build(), {{k_downlink, be_tcp(1025, SYN, 7000, 0).build()}}, {}},
      {"a first segment with no room left for the header under the mtu is dropped", k_uplink,
       c_tcp(40001, ACK, 7001, 1).payload_size(1460).build(), {}, drop_reason::proxy_no_room},
  };
}

TEST(FnatGolden, ProxyProtocolV2HeaderLeadsTheStreamAndSequenceNumbersFollow) {
  dataplane_harness h(proxy_config_yaml());
  run_fixtures(h, proxy_fixtures());
}

TEST(FnatGolden, FragmentedDatagramsCrossBothWaysWholeAndLeaveInFragments) {
  dataplane_harness h(fnat_config_yaml());
  const auto in = fragments_of(client().ip_id(301).udp(50000, 53).payload_counting(4000).build(), k_mtu_chunk);
  const auto out = fragments_of(to_be(k_be1, "10.0.1.11").ip_id(301).udp(1024, 5353).payload_counting(4000).build(), k_mtu_chunk);
  // The backend's answer to the local port, fragmented by its stack: only the first fragment
  // shows the port that names the flow.
  const auto r = fragments_of(reply(k_be1, "10.0.1.11").ip_id(77).udp(5353, 1024).payload_counting(3500).build(), k_mtu_chunk);
  const auto r_out = fragments_of(to_cl().ip_id(77).udp(53, 50000).payload_counting(3500).build(), k_mtu_chunk);
  std::vector<fixture> rows = fragment_rows("request", k_uplink, in, {0, 2, 1}, sent_on(k_downlink, out));
  const auto back = fragment_rows("reply, first fragment last", k_downlink, r, {2, 1, 0}, sent_on(k_uplink, r_out));
  rows.insert(rows.end(), back.begin(), back.end());
  run_fixtures(h, rows);
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 2u);
  EXPECT_EQ(h.stats().worker.fragments_sent.get(), 6u);
}

TEST(FnatGolden, FragmentsOfAReplyArrivingOnBothWorkersMeetAndReachTheFlowsOwner) {
  dataplane_harness h(fnat_config_yaml(), 2);
  unsigned checked = 0;
  for (unsigned i = 0; i < 8; ++i) {
    const std::string c = "192.168.1." + std::to_string(i + 1);
    SCOPED_TRACE(c);
    const unsigned owner = flow_owner(ip(c.c_str()), 2);
    const auto fwd = h.send(k_uplink, from_client().ipv4(c.c_str(), "10.0.0.100").udp(50000, 53).payload("q").build(), owner);
    ASSERT_EQ(fwd.size(), 1u);
    const uint16_t lport = local_port_of(fwd[0].frame);
    // An IP ID whose fragments meet on the worker that does not own the flow, so the whole
    // datagram has to be handed over once reassembled.
    uint16_t id = 1;
    while (flow_owner(ip("10.0.1.11") ^ htons(id), 2) == owner) ++id;
    const auto r = fragments_of(reply(k_be1, "10.0.1.11").ip_id(id).udp(5353, lport).payload_counting(3000).build(), k_mtu_chunk);
    const uint64_t met_before = h.stats(1 - owner).worker.datagrams_reassembled.get();
    std::vector<sent_frame> got;
    for (std::size_t f = 0; f < r.size(); ++f) {
      auto o = h.send(k_downlink, r[f], unsigned(f % 2)); // spread over both queues
      got.insert(got.end(), o.begin(), o.end());
    }
    auto rest = h.poll(); // the owner's turn after the hand-off
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, sent_on(k_uplink, fragments_of(to_client().ipv4("10.0.0.100", c.c_str(), 63).ip_id(id).udp(53, 50000).payload_counting(3000).build(), k_mtu_chunk)));
    EXPECT_EQ(h.stats(1 - owner).worker.datagrams_reassembled.get(), met_before + 1)
        << "reassembled where the fragments met, then handed to the owner";
    ++checked;
  }
  EXPECT_EQ(h.stats(0).worker.datagrams_reassembled.get() +
                h.stats(1).worker.datagrams_reassembled.get(), checked);
  for (const auto& [reason, n] : h.drop_counts()) EXPECT_EQ(n, 0u) << reason;
}

} // namespace
} // namespace sluice::testing
