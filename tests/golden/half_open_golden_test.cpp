// dataplane.max_half_open through a real worker: at the cap a new SYN evicts the oldest flow still
// in SYN_RECV (its client's later packets then find no flow and are dropped, as after an expiry),
// established flows are never evicted, UDP flows never count, and a Maglev dr/tun service forwards
// the new SYN by hash alone instead — exactly the frame a tracked SYN would have made.

#include <gtest/gtest.h>

#include <string>

#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

constexpr const char* k_vip = "10.0.0.100";

// web: NAT rr on be1, be2; mhdr: DR Maglev; drrr: DR rr; dns: UDP NAT. At most `cap` half-open.
std::string half_open_config(unsigned cap) {
  return with_dataplane_key(lab_yaml_head(), "max_half_open", std::to_string(cap)) + R"(  - { name: web, address: 10.0.0.100, port: 80,
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: mhdr, address: 10.0.0.100, port: 81, forwarding: dr, scheduler: mh,
      backends: [{ address: 10.0.1.11, port: 81 }, { address: 10.0.1.12, port: 81 }] }
  - { name: drrr, address: 10.0.0.100, port: 82, forwarding: dr,
      backends: [{ address: 10.0.1.11, port: 82 }, { address: 10.0.1.12, port: 82 }] }
  - { name: dns, address: 10.0.0.100, port: 53, protocol: udp,
      backends: [{ address: 10.0.1.11, port: 5353 }] }
)";
}

struct backend {
  std::string mac;
  const char* addr;
};
const backend k_b1{k_be1, "10.0.1.11"}, k_b2{k_be2, "10.0.1.12"};

// A segment of `client`:`sport` to web (port 80) and the same segment as NAT delivers it to `b`.
bytes to_web(const std::string& client, uint16_t sport, uint8_t flags, uint32_t seq = 1000,
             uint32_t ack = 0) {
  return from_client().ipv4(client.c_str(), k_vip).tcp(sport, 80, flags, seq, ack).build();
}
sent_frame at_web_backend(const backend& b, const std::string& client, uint16_t sport,
                          uint8_t flags, uint32_t seq = 1000, uint32_t ack = 0) {
  return {k_downlink,
          to_backend(b.mac).ipv4(client.c_str(), b.addr, 63).tcp(sport, 8080, flags, seq, ack).build()};
}
// The backend's SYN-ACK to `client`, and as NAT returns it from the VIP.
bytes synack_from(const backend& b, const std::string& client, uint16_t sport) {
  return from_backend(b.mac).ipv4(b.addr, client.c_str()).tcp(8080, sport, SYN | ACK, 9, 1001).build();
}
sent_frame synack_at_client(const std::string& client, uint16_t sport) {
  return {k_uplink,
          to_client().ipv4(k_vip, client.c_str(), 63).tcp(80, sport, SYN | ACK, 9, 1001).build()};
}

// A segment to a DR service's `port`, and as DR delivers it (the frame only: TTL - 1).
bytes to_direct(const std::string& client, uint16_t port, uint8_t flags) {
  return from_client().ipv4(client.c_str(), k_vip).tcp(4000, port, flags).build();
}
sent_frame at_direct_backend(const backend& b, const std::string& client, uint16_t port,
                             uint8_t flags) {
  return {k_downlink, to_backend(b.mac).ipv4(client.c_str(), k_vip, 63).tcp(4000, port, flags).build()};
}

// The destination MAC of the one frame in `out` (the backend a DR frame was sent to).
bytes dest_mac(const std::vector<sent_frame>& out) {
  if (out.size() != 1) return {};
  return bytes(out[0].frame.begin(), out[0].frame.begin() + 6);
}

const std::string k_kept = "10.0.0.1"; // the established connection's client
const std::string k_a = client_ip(0), k_b = client_ip(1), k_c = client_ip(2), k_d = client_ip(3),
                  k_e = client_ip(4);

// Rows in order on a worker with max_half_open: 2. rr alternates web's backends: the kept
// connection be1, then a be2, b be1, c be2, d be1, e be2.
std::vector<fixture> nat_rows() {
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  return {
      {"an established connection: syn", k_uplink, to_web(k_kept, 40000, SYN),
       {at_web_backend(k_b1, k_kept, 40000, SYN)}, {}},
      {"an established connection: syn-ack", k_downlink, synack_from(k_b1, k_kept, 40000),
       {synack_at_client(k_kept, 40000)}, {}},
      {"an established connection: ack", k_uplink, to_web(k_kept, 40000, ACK, 1001, 10),
       {at_web_backend(k_b1, k_kept, 40000, ACK, 1001, 10)}, {}},
      {"client a's syn is the first half-open flow", k_uplink, to_web(k_a, 1001, SYN),
       {at_web_backend(k_b2, k_a, 1001, SYN)}, {}},
      {"client b's syn is the second", k_uplink, to_web(k_b, 1002, SYN),
       {at_web_backend(k_b1, k_b, 1002, SYN)}, {}},
      {"client c's syn at the cap evicts a's flow, the oldest half-open, and opens its own",
       k_uplink, to_web(k_c, 1003, SYN), {at_web_backend(k_b2, k_c, 1003, SYN)}, {}},
      {"the backend's syn-ack to the evicted client finds no flow", k_downlink,
       synack_from(k_b2, k_a, 1001), {}, drop_reason::no_flow},
      {"the evicted client's ack finds no flow and is no syn", k_uplink,
       to_web(k_a, 1001, ACK, 1001, 10), {}, drop_reason::tcp_not_syn},
      {"client b's handshake completes: syn-ack", k_downlink, synack_from(k_b1, k_b, 1002),
       {synack_at_client(k_b, 1002)}, {}},
      {"client b's handshake completes: ack", k_uplink, to_web(k_b, 1002, ACK, 1001, 10),
       {at_web_backend(k_b1, k_b, 1002, ACK, 1001, 10)}, {}},
      {"udp flows are never half-open: no eviction", k_uplink,
       from_client().ipv4(k_a.c_str(), k_vip).udp(50000, 53).payload("q").build(),
       {{k_downlink, to_backend(k_be1).ipv4(k_a.c_str(), "10.0.1.11", 63).udp(50000, 5353).payload("q").build()}},
       {}},
      {"client d's syn: c and d half-open, at the cap", k_uplink, to_web(k_d, 1004, SYN),
       {at_web_backend(k_b1, k_d, 1004, SYN)}, {}},
      {"client e's syn evicts c, the oldest still half-open (b established is passed over)",
       k_uplink, to_web(k_e, 1005, SYN), {at_web_backend(k_b2, k_e, 1005, SYN)}, {}},
      {"the evicted c's ack finds no flow", k_uplink, to_web(k_c, 1003, ACK, 1001, 10), {},
       drop_reason::tcp_not_syn},
      {"the connection established before the flood is untouched", k_uplink,
       from_client().ipv4(k_kept.c_str(), k_vip).tcp(40000, 80, PSH | ACK, 1001, 10).payload(get).build(),
       {{k_downlink, to_backend(k_be1).ipv4(k_kept.c_str(), "10.0.1.11", 63).tcp(40000, 8080, PSH | ACK, 1001, 10).payload(get).build()}},
       {}},
      {"and so is b's, established at the cap", k_uplink, to_web(k_b, 1002, ACK, 1001, 10),
       {at_web_backend(k_b1, k_b, 1002, ACK, 1001, 10)}, {}},
  };
}

TEST(HalfOpenGolden, AtTheCapTheOldestHalfOpenFlowIsEvictedAndEstablishedOnesNever) {
  dataplane_harness h(half_open_config(2));
  run_fixtures(h, nat_rows());
  const worker_counters& w = h.stats().worker;
  EXPECT_EQ(w.half_open_evicted.get(), 2u) << "a and c";
  EXPECT_EQ(w.half_open_flows.get(), 2u) << "d and e";
  EXPECT_EQ(h.dataplane().flows().half_open(), 2u);
  EXPECT_EQ(w.flows_created.get(), 7u) << "kept, a..e, the udp flow";
  EXPECT_EQ(w.flows_active.get(), 5u) << "kept, b, d, e, the udp flow";
  EXPECT_EQ(h.dataplane().flows().size(), 5u);
  // The evicted flows left their backend's InActConn (ipvsadm's columns, lc/wlc's input).
  const traffic_counters& be1 = h.stats().backends[h.backend_slot("web", "10.0.1.11")];
  const traffic_counters& be2 = h.stats().backends[h.backend_slot("web", "10.0.1.12")];
  EXPECT_EQ(be1.active.get(), 2u) << "kept, b";
  EXPECT_EQ(be1.inactive.get(), 1u) << "d";
  EXPECT_EQ(be2.active.get(), 0u);
  EXPECT_EQ(be2.inactive.get(), 1u) << "e; a and c evicted";
}

// The SYN that evicts a flow takes the slot it freed (the free list is LIFO): an ACK of the
// evicted flow later in the same burst, found by the burst's bulk lookup before the eviction,
// must not be forwarded on the new flow in that slot.
TEST(HalfOpenGolden, AnAckInTheBurstThatEvictsItsFlowIsNotForwardedOnTheSlotsNewFlow) {
  dataplane_harness h(half_open_config(2));
  ASSERT_EQ(h.send(k_uplink, to_web(k_a, 1001, SYN)), (std::vector{at_web_backend(k_b1, k_a, 1001, SYN)}));
  ASSERT_EQ(h.send(k_uplink, to_web(k_b, 1002, SYN)), (std::vector{at_web_backend(k_b2, k_b, 1002, SYN)}));
  const auto out = h.send_burst(k_uplink, {to_web(k_c, 1003, SYN), to_web(k_a, 1001, ACK, 1001, 10)});
  EXPECT_EQ(out, (std::vector{at_web_backend(k_b1, k_c, 1003, SYN)}));
  EXPECT_EQ(h.drops(drop_reason::tcp_not_syn), 1u);
  EXPECT_EQ(h.stats().worker.half_open_evicted.get(), 1u);
  // A flood burst of three SYNs at the cap keeps the newest two.
  const auto flood = h.send_burst(k_uplink, {to_web(k_d, 1004, SYN), to_web(k_e, 1005, SYN),
                                             to_web(client_ip(5), 1006, SYN)});
  EXPECT_EQ(flood.size(), 3u);
  EXPECT_EQ(h.stats().worker.half_open_evicted.get(), 4u) << "b, c, d";
  EXPECT_EQ(h.stats().worker.half_open_flows.get(), 2u);
  EXPECT_EQ(h.dataplane().flows().size(), 2u);
}

// At the cap, a Maglev dr service's SYN is forwarded untracked, byte for byte as a tracked one
// (its backend is the hash's, on every worker and appliance), and nothing is evicted; its ACK is
// then taken over like any mid-connection segment. A flow such a service loses to another
// service's eviction goes on the same way.
TEST(HalfOpenGolden, AMaglevDrServiceAtTheCapForwardsNewFlowsByHashWithoutEvicting) {
  std::vector<sent_frame> tracked_c, tracked_a;
  {
    dataplane_harness reference(half_open_config(2)); // an appliance below its cap
    tracked_c = reference.send(k_uplink, to_direct(k_c, 81, SYN));
    tracked_a = reference.send(k_uplink, to_direct(k_a, 81, SYN));
    ASSERT_EQ(reference.stats().worker.untracked_packets.get(), 0u);
  }
  ASSERT_EQ(tracked_c.size(), 1u);
  ASSERT_EQ(tracked_a.size(), 1u);

  dataplane_harness h(half_open_config(2));
  ASSERT_EQ(h.send(k_uplink, to_direct(k_a, 81, SYN)), tracked_a);
  ASSERT_EQ(h.send(k_uplink, to_direct(k_b, 81, SYN)).size(), 1u);
  const worker_counters& w = h.stats().worker;
  ASSERT_EQ(w.half_open_flows.get(), 2u);

  EXPECT_EQ(h.send(k_uplink, to_direct(k_c, 81, SYN)), tracked_c) << "by hash, untracked";
  EXPECT_EQ(w.untracked_packets.get(), 1u);
  EXPECT_EQ(w.half_open_evicted.get(), 0u);
  EXPECT_EQ(w.half_open_flows.get(), 2u);
  EXPECT_EQ(w.flows_active.get(), 2u);
  // c's ACK: taken over (established, so not half-open) and sent where its SYN went.
  EXPECT_EQ(dest_mac(h.send(k_uplink, to_direct(k_c, 81, ACK))), dest_mac(tracked_c));
  EXPECT_EQ(w.flows_adopted.get(), 1u);
  EXPECT_EQ(w.half_open_flows.get(), 2u);

  // A dr service without Maglev has no hash to fall back on: its SYN evicts the oldest, a's.
  EXPECT_EQ(h.send(k_uplink, to_direct(k_d, 82, SYN)),
            (std::vector{at_direct_backend(k_b1, k_d, 82, SYN)}));
  EXPECT_EQ(w.half_open_evicted.get(), 1u);
  EXPECT_EQ(w.half_open_flows.get(), 2u);
  // a's ACK is taken over and reaches the backend its SYN reached: a Maglev flow loses nothing.
  EXPECT_EQ(dest_mac(h.send(k_uplink, to_direct(k_a, 81, ACK))), dest_mac(tracked_a));
  EXPECT_EQ(w.flows_adopted.get(), 2u);
  EXPECT_EQ(h.drops(drop_reason::tcp_not_syn), 0u);
}

// Without the key a quarter of the table may be half-open: 256 of 1024 here.
TEST(HalfOpenGolden, TheDefaultCapIsAQuarterOfTheFlowTable) {
  std::string yaml = half_open_config(2);
  const std::string cap = "max_half_open: 2, ";
  yaml.erase(yaml.find(cap), cap.size());
  ASSERT_EQ(yaml.find("max_half_open"), std::string::npos);
  dataplane_harness h(yaml);
  for (unsigned i = 0; i < 300; ++i)
    ASSERT_EQ(h.send(k_uplink, to_web("192.168." + std::to_string(10 + i / 200) + "." +
                                          std::to_string(1 + i % 200),
                                      2000, SYN))
                  .size(),
              1u)
        << i;
  EXPECT_EQ(h.stats().worker.half_open_flows.get(), 256u);
  EXPECT_EQ(h.stats().worker.half_open_evicted.get(), 300u - 256u);
  EXPECT_EQ(h.dataplane().flows().size(), 256u);
}

} // namespace
} // namespace sluice::testing
