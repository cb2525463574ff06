// Golden packets for a service removed by a reload without a flush: its flows drain until they
// end (control/admin/api.hpp), while nothing new reaches it — no SYN, no reused tuple, no packet
// of a new tuple whose TTL ends at the VIP. Rows run in order on one worker, so flows carry across the reload.

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <string>

#include "tests/golden/acl_lab.hpp"
#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"

namespace sluice::testing {
namespace {

// The NAT lab with no service left on its VIP 10.0.0.100 (one elsewhere, so the list is not empty).
std::string vip_gone_yaml() {
  return lab_yaml_head() + R"(  - { name: other, address: 10.0.0.101, port: 80, protocol: tcp,
      backends: [{ address: 10.0.1.12, port: 8080 }] }
)";
}

// The NAT lab without its web and echo services, their VIP kept by the lab's other ports.
std::string ports_gone_yaml() { return without_service(without_service(config_yaml(), "web"), "echo"); }

const std::string k_lab_client = "10.0.0.1";

packet_builder client_to_vip(const std::string& c = k_lab_client) {
  return from_client().ipv4(c.c_str(), "10.0.0.100");
}
packet_builder vip_to_client(const std::string& c = k_lab_client) {
  return to_client().ipv4("10.0.0.100", c.c_str(), 63);
}
packet_builder be1_to_client(const std::string& c = k_lab_client) {
  return from_backend(k_be1).ipv4("10.0.1.11", c.c_str());
}
packet_builder client_to_be1(const std::string& c = k_lab_client) {
  return to_backend(k_be1).ipv4(c.c_str(), "10.0.1.11", 63);
}

// Opens the TCP connection c:port -> web (10.0.0.100:80), scheduled on be1, and the UDP flow
// c:50000 -> echo (10.0.0.100:53).
std::vector<fixture> opening_rows(uint16_t port, const std::string& c = k_lab_client) {
  return {
      {"syn to web goes to be1", k_uplink, client_to_vip(c).tcp(port, 80, SYN).build(),
       {{k_downlink, client_to_be1(c).tcp(port, 8080, SYN).build()}}, {}},
      {"be1's syn-ack returns from the vip", k_downlink,
       be1_to_client(c).tcp(8080, port, SYN | ACK, 9, 1001).build(),
       {{k_uplink, vip_to_client(c).tcp(80, port, SYN | ACK, 9, 1001).build()}}, {}},
      {"the handshake ack establishes the flow", k_uplink,
       client_to_vip(c).tcp(port, 80, ACK, 1001, 10).build(),
       {{k_downlink, client_to_be1(c).tcp(port, 8080, ACK, 1001, 10).build()}}, {}},
      {"udp to echo goes to be1", k_uplink, client_to_vip(c).udp(50000, 53).payload("q").build(),
       {{k_downlink, client_to_be1(c).udp(50000, 5353).payload("q").build()}}, {}},
  };
}

// The established connection and the UDP flow of opening_rows() after their services are gone.
std::vector<fixture> draining_rows(uint16_t port, const std::string& c = k_lab_client) {
  return {
      {"client data on the established flow still reaches be1", k_uplink,
       client_to_vip(c).tcp(port, 80, PSH | ACK, 1001, 10).payload("GET / HTTP/1.1\r\n\r\n").build(),
       {{k_downlink, client_to_be1(c).tcp(port, 8080, PSH | ACK, 1001, 10).payload("GET / HTTP/1.1\r\n\r\n").build()}},
       {}},
      {"be1's answer still returns from the vip", k_downlink,
       be1_to_client(c).tcp(8080, port, PSH | ACK, 10, 1019).payload("HTTP/1.1 200 OK\r\n\r\n").build(),
       {{k_uplink, vip_to_client(c).tcp(80, port, PSH | ACK, 10, 1019).payload("HTTP/1.1 200 OK\r\n\r\n").build()}},
       {}},
      {"the udp flow still reaches be1", k_uplink, client_to_vip(c).udp(50000, 53).payload("q2").build(),
       {{k_downlink, client_to_be1(c).udp(50000, 5353).payload("q2").build()}}, {}},
      {"a new syn to the removed port is refused", k_uplink,
       client_to_vip(c).tcp(port + 1, 80, SYN).build(), {}, drop_reason::no_service},
      {"the client's fin still reaches be1", k_uplink,
       client_to_vip(c).tcp(port, 80, FIN | ACK, 1019, 29).build(),
       {{k_downlink, client_to_be1(c).tcp(port, 8080, FIN | ACK, 1019, 29).build()}}, {}},
      {"be1's fin still returns from the vip", k_downlink,
       be1_to_client(c).tcp(8080, port, FIN | ACK, 29, 1020).build(),
       {{k_uplink, vip_to_client(c).tcp(80, port, FIN | ACK, 29, 1020).build()}}, {}},
  };
}

// `rows` as they arrive over two workers: the client's on queue `client_side`, the backend's on
// `backend_side`.
std::vector<fixture> on_queues(std::vector<fixture> rows, unsigned client_side, unsigned backend_side) {
  for (fixture& f : rows) f.queue = f.in_iface == k_uplink ? client_side : backend_side;
  return rows;
}

TEST(RemovedServiceGolden, FlowsOfARemovedPortDrainWhileNewSynsToItAreRefused) {
  dataplane_harness h(config_yaml());
  run_fixtures(h, opening_rows(40000));
  // web and echo leave; the VIP stays (other ports keep their services).
  h.reconfigure(ports_gone_yaml());
  ASSERT_TRUE(h.published().local_addrs.find_ipv4(ip("10.0.0.100")));
  run_fixtures(h, draining_rows(40000));
}

TEST(RemovedServiceGolden, FlowsOfARemovedVipDrainWhileNewSynsToItAreRefused) {
  dataplane_harness h(config_yaml());
  run_fixtures(h, opening_rows(40000));
  h.reconfigure(vip_gone_yaml());
  auto rows = draining_rows(40000);
  // Not our address any more: a packet without a flow to it is transit traffic.
  rows[3].drop = drop_reason::no_flow;
  run_fixtures(h, rows);
}

// Two workers: a flow lives in its owner's table only (dataplane/worker/handoff.hpp), so it drains
// only if its packets still reach the owner after the reload — the client's on the owner's queue,
// the backend's from the other worker's. The client's owner is not the VIP's: a client packet
// steered like a reply to the VIP's address (as one to an address not ours is) lands on the worker
// without its flow.
TEST(RemovedServiceGolden, FlowsOfARemovedServiceDrainOnTheirOwnerWhateverWorkerTheirPacketsReach) {
  struct variant {
    const char* name;
    std::string yaml;
    drop_reason new_syn;
  };
  const variant variants[] = {
      {"port's service gone", ports_gone_yaml(), drop_reason::no_service},
      {"vip gone", vip_gone_yaml(), drop_reason::no_flow},
  };
  const unsigned owner = 1 - flow_owner(ip("10.0.0.100"), 2);
  const unsigned other = 1 - owner;
  const std::string c = client_owned_by(owner);
  // The client's packets arrive on its owner's queue, the backend's on the other worker's.
  for (const variant& v : variants) {
    SCOPED_TRACE(v.name);
    dataplane_harness h(config_yaml(), 2);
    run_fixtures(h, on_queues(opening_rows(40000, c), owner, other));
    h.reconfigure(v.yaml);
    const uint64_t handed_over = h.stats(other).worker.handoff_out.get();
    auto rows = on_queues(draining_rows(40000, c), owner, other);
    rows[3].drop = v.new_syn;
    fixture syn_elsewhere = rows[3];
    syn_elsewhere.name = "a new syn arriving on the other worker is refused too";
    syn_elsewhere.input = client_to_vip(c).tcp(40002, 80, SYN).build();
    syn_elsewhere.queue = other;
    rows.insert(rows.begin() + 4, syn_elsewhere);
    run_fixtures(h, rows);
    EXPECT_GE(h.stats(other).worker.handoff_out.get(), handed_over + 2)
        << "be1's answer and fin were handed to the owner";
    EXPECT_EQ(h.dataplane(owner).flows().size(), 2u) << "the closing connection and the udp flow";
    EXPECT_EQ(h.dataplane(other).flows().size(), 0u);
  }
}

// A client SYN on the tuple of its closing connection (flow in FIN_WAIT or CLOSE) opens a new
// connection: with the service gone it must be refused, never scheduled.
TEST(RemovedServiceGolden, ASynReusingAClosingTupleOfARemovedServiceIsRefused) {
  struct variant {
    const char* name;
    std::string yaml;
    uint8_t closing_flags;
  };
  const variant variants[] = {
      {"vip gone, flow closed by rst", vip_gone_yaml(), RST},
      {"vip gone, flow closing by fin", vip_gone_yaml(), FIN | ACK},
      {"port's service gone, flow closed by rst", without_service(config_yaml(), "web"), RST},
      {"port's service gone, flow closing by fin", without_service(config_yaml(), "web"), FIN | ACK},
  };
  for (const variant& v : variants) {
    SCOPED_TRACE(v.name);
    dataplane_harness h(config_yaml());
    auto rows = opening_rows(40000);
    rows.resize(3); // the TCP connection only
    run_fixtures(h, rows);
    h.reconfigure(v.yaml);
    run_fixtures(h, {
        {"the closing segment still reaches be1", k_uplink,
         client_to_vip().tcp(40000, 80, v.closing_flags, 1001, 10).build(),
         {{k_downlink, client_to_be1().tcp(40000, 8080, v.closing_flags, 1001, 10).build()}}, {}},
        {"a syn reusing the tuple is refused", k_uplink,
         client_to_vip().tcp(40000, 80, SYN, 5000).build(), {}, drop_reason::no_service},
    });
    EXPECT_EQ(h.dataplane().flows().size(), 0u) << "the closing flow is gone with it";
    EXPECT_EQ(h.stats().worker.flows_active.get(), 0u);
  }
}

// The same refused reuse with a flow opened and another packet of the reused tuple behind it in
// one burst: the erase frees the flow's slot, the new flow takes it (the free list is LIFO), and
// the later packet, found before the erase, must not be forwarded on the new flow's record.
TEST(RemovedServiceGolden, APacketBehindARefusedReuseInItsBurstIsNotForwardedOnTheSlotsNextFlow) {
  dataplane_harness h(config_yaml());
  auto rows = opening_rows(40000);
  rows.resize(3); // the TCP connection only
  run_fixtures(h, rows);
  const uint32_t slot = h.dataplane().flows().lookup(
      flow_key::ipv4(ip("10.0.0.1"), ip("10.0.0.100"), htons(40000), htons(80), IPPROTO_TCP))->index;
  h.reconfigure(without_service(config_yaml(), "web"));
  run_fixtures(h, {{"the rst still reaches be1", k_uplink,
                    client_to_vip().tcp(40000, 80, RST, 1001, 10).build(),
                    {{k_downlink, client_to_be1().tcp(40000, 8080, RST, 1001, 10).build()}}, {}}});
  const auto before = h.drop_counts();
  const auto out = h.send_burst(
      k_uplink, {client_to_vip().tcp(40000, 80, SYN, 5000).build(),
                 client_to_vip().udp(50000, 53).payload("q").build(),
                 client_to_vip().tcp(40000, 80, ACK, 5001, 1).build()});
  EXPECT_EQ(out, (std::vector<sent_frame>{
                     {k_downlink, client_to_be1().udp(50000, 5353).payload("q").build()}}))
      << "only the udp flow is forwarded";
  const auto udp = h.dataplane().flows().lookup(
      flow_key::ipv4(ip("10.0.0.1"), ip("10.0.0.100"), htons(50000), htons(53), IPPROTO_UDP));
  ASSERT_TRUE(udp.has_value());
  EXPECT_EQ(udp->index, slot) << "the new flow took the erased flow's slot";
  auto after = h.drop_counts();
  EXPECT_EQ(after["no_service"], before.at("no_service") + 2) << "the syn and the ack behind it";
  after["no_service"] -= 2;
  EXPECT_EQ(after, before) << "no other drop counter may move";
  EXPECT_EQ(h.dataplane().flows().size(), 1u);
}

// TCP/UDP whose TTL ends at the gateway: at a VIP port without a service (and no flow of its
// tuple draining there) there is nothing to expire it on the way to (no_service, silently); everything else would have been forwarded, so
// it gets ICMP time exceeded from the interface it came in on.
TEST(RemovedServiceGolden, TtlOneAtAVipPortWithoutServiceIsNoServiceElseTimeExceeded) {
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const bytes to_web = from_client().ipv4("10.0.0.1", "10.0.0.100", 1).tcp(40010, 80, SYN).build();
  const bytes to_echo = from_client().ipv4("10.0.0.1", "10.0.0.100", 1).udp(50010, 53).payload("q").build();
  const bytes transit = from_client().ipv4("10.0.0.1", "10.9.9.9", 1).tcp(40012, 80, SYN).build();
  const bytes to_be1_port = from_client().ipv4("10.0.0.1", "10.0.1.11", 1).udp(50012, 5353).build();
  dataplane_harness h(config_yaml());
  run_fixtures(h, {
      {"ttl 1 tcp to a vip port with a service", k_uplink, to_web,
       {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", to_web)}}, drop_reason::ip_ttl_exceeded},
      {"ttl 1 udp to a vip port with a service", k_uplink, to_echo,
       {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", to_echo)}}, drop_reason::ip_ttl_exceeded},
      {"ttl 1 tcp to a vip port that never had a service", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100", 1).tcp(40011, 81, SYN).build(), {}, drop_reason::no_service},
      {"ttl 1 tcp to an address not ours", k_uplink, transit,
       {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", transit)}}, drop_reason::ip_ttl_exceeded},
      {"ttl 1 udp to a backend's address", k_uplink, to_be1_port,
       {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", to_be1_port)}}, drop_reason::ip_ttl_exceeded},
  });
  h.reconfigure(ports_gone_yaml());
  run_fixtures(h, {
      {"ttl 1 tcp to the removed service's port", k_uplink, to_web, {}, drop_reason::no_service},
      {"ttl 1 udp to the removed service's port", k_uplink, to_echo, {}, drop_reason::no_service},
  });
}

// A TTL-1 packet of a flow that drains gets what the same packet got while its service was
// there: ICMP time exceeded, the flow untouched — not no_service, which is for a tuple without a
// flow. With two workers it arrives on the queue of the worker not owning the flow.
TEST(RemovedServiceGolden, TtlOneOnADrainingFlowIsTimeExceededAsOnALiveFlow) {
  struct variant {
    const char* name;
    std::string yaml;
    unsigned workers;
  };
  const variant variants[] = {
      {"port's service gone", ports_gone_yaml(), 1},
      {"vip gone", vip_gone_yaml(), 1},
      {"port's service gone, two workers", ports_gone_yaml(), 2},
      {"vip gone, two workers", vip_gone_yaml(), 2},
  };
  const std::string up = dataplane_harness::mac_text(k_uplink);
  for (const variant& v : variants) {
    SCOPED_TRACE(v.name);
    const unsigned owner = v.workers == 1 ? 0 : 1 - flow_owner(ip("10.0.0.100"), 2);
    const unsigned other = v.workers == 1 ? 0 : 1 - owner;
    const std::string c = v.workers == 1 ? k_lab_client : client_owned_by(owner);
    const bytes data = from_client().ipv4(c.c_str(), "10.0.0.100", 1)
                           .tcp(40000, 80, PSH | ACK, 1001, 10).payload("GET / HTTP/1.1\r\n\r\n").build();
    const bytes query = from_client().ipv4(c.c_str(), "10.0.0.100", 1).udp(50000, 53).payload("q2").build();
    const auto ttl_one_rows = [&](const char* when) {
      return std::vector<fixture>{
          {std::string("ttl 1 data on the tcp flow, ") + when, k_uplink, data,
           {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", data)}}, drop_reason::ip_ttl_exceeded, other},
          {std::string("ttl 1 on the udp flow, ") + when, k_uplink, query,
           {{k_uplink, time_exceeded_frame(up, k_client, "10.0.0.2", query)}}, drop_reason::ip_ttl_exceeded, other},
      };
    };
    dataplane_harness h(config_yaml(), v.workers);
    run_fixtures(h, on_queues(opening_rows(40000, c), owner, other));
    run_fixtures(h, ttl_one_rows("service live"));
    h.reconfigure(v.yaml);
    run_fixtures(h, ttl_one_rows("service removed"));
    auto rows = on_queues(draining_rows(40000, c), owner, other);
    rows.resize(3); // the flows still carry traffic
    run_fixtures(h, rows);
    EXPECT_EQ(h.dataplane(owner).flows().size(), 2u);
  }
}

// A draining UDP flow's datagram sent in fragments, with two workers: the fragments meet and are
// reassembled where steering sends them — with the VIP gone, on the VIP address's worker, which
// does not own the flow and passes the whole datagram on to the client's owner (forward_miss) —
// and the datagram reaches be1 cut again for the link, wherever the fragments arrived.
TEST(RemovedServiceGolden, AFragmentedDatagramOfADrainingFlowReachesItsBackendOverTwoWorkers) {
  const unsigned owner = 1 - flow_owner(ip("10.0.0.100"), 2);
  const std::string c = client_owned_by(owner);
  struct variant {
    const char* name;
    std::string yaml;
    unsigned reassembler; // steered by the client (a VIP's) or by the destination (not ours)
  };
  const variant variants[] = {
      {"port's service gone", ports_gone_yaml(), owner},
      {"vip gone", vip_gone_yaml(), 1 - owner},
  };
  for (const variant& v : variants) {
    SCOPED_TRACE(v.name);
    dataplane_harness h(config_yaml(), 2);
    run_fixtures(h, on_queues(opening_rows(40000, c), owner, 1 - owner));
    h.reconfigure(v.yaml);
    // Plain, and cut to 1020-byte DF pieces that must leave no bigger (the reassembling worker's
    // note of the biggest piece travels with the datagram to the owner).
    struct cut {
      const char* name;
      bool df;
      std::size_t chunk;
    };
    const cut cuts[] = {{"plain fragments", false, k_mtu_chunk}, {"1020-byte DF pieces", true, 1000}};
    uint16_t id = 700;
    for (const unsigned queue : {1 - owner, owner}) {
      for (const cut& k : cuts) {
        SCOPED_TRACE(std::string(k.name) +
                     (queue == owner ? " on the owner's queue" : " on the other worker's queue"));
        auto in = client_to_vip(c).ip_id(id);
        auto expected = client_to_be1(c).ip_id(id);
        if (k.df) in.df(), expected.df();
        const auto frags = fragments_of(in.udp(50000, 53).payload_counting(2000).build(), k.chunk);
        ASSERT_GE(frags.size(), 2u);
        const auto out =
            fragments_of(expected.udp(50000, 5353).payload_counting(2000).build(), k.chunk);
        std::vector<std::size_t> last_first;
        for (std::size_t i = frags.size(); i-- > 0;) last_first.push_back(i);
        const auto rows = fragment_rows("udp datagram of the draining flow", k_uplink, frags,
                                        last_first, sent_on(k_downlink, out));
        run_fixtures(h, on_queues(rows, queue, queue));
        ++id;
      }
    }
    EXPECT_EQ(h.stats(v.reassembler).worker.datagrams_reassembled.get(), 4u);
    EXPECT_EQ(h.dataplane(owner).flows().size(), 2u);
    EXPECT_EQ(h.dataplane(1 - owner).flows().size(), 0u) << "nothing scheduled where it was reassembled";
  }
}

// A flow whose ACL waits for its first payload when its service goes: nothing is left to judge
// it by, so its next client packet decides it allowed — forwarded, unscanned, no rule hit — and
// so are the ones after.
TEST(RemovedServiceGolden, AFlowHeldByAnAclIsAllowedOnceItsServiceIsRemoved) {
  const std::string other = "  - { name: other, address: 10.0.0.101, port: 80, protocol: tcp,\n"
                            "      backends: [{ address: 10.0.1.12, port: 8080 }] }\n";
  std::string vip_gone = without_service(
      without_service(without_service(acl_config_yaml(), "web"), "echo"), "admin");
  vip_gone.insert(vip_gone.find("acls:\n"), other);
  const std::pair<const char*, std::string> reloads[] = {
      {"port's service gone", without_service(acl_config_yaml(), "web")},
      {"vip gone", vip_gone},
  };
  const auto office = [] { return from_client().ipv4("10.5.1.1", "10.0.0.100"); };
  const auto office_to_be1 = [] { return to_backend(k_be1).ipv4("10.5.1.1", "10.0.1.11", 63); };
  for (const auto& [what, yaml] : reloads) {
    SCOPED_TRACE(what);
    dataplane_harness h(acl_config_yaml());
    run_fixtures(h, {
        {"syn from the office waits for its payload", k_uplink, office().tcp(40000, 80, SYN, 1000).build(),
         {{k_downlink, office_to_be1().tcp(40000, 8080, SYN, 1000).build()}}, {}},
    });
    h.reconfigure(yaml);
    ASSERT_NE(h.published().acl, nullptr) << "the ACLs stay; only the service goes";
    const auto hits = acl_hits(h);
    for (const char* payload : {"GET /admin HTTP/1.1\r\n\r\n", "GET /admin again"}) {
      run_fixtures(h, {
          {std::string("a payload the held rule would deny passes: ") + payload, k_uplink,
           office().tcp(40000, 80, PSH | ACK, 1001, 10).payload(payload).build(),
           {{k_downlink, office_to_be1().tcp(40000, 8080, PSH | ACK, 1001, 10).payload(payload).build()}}, {}},
      });
    }
    EXPECT_EQ(h.stats().worker.acl_scans.get(), 0u);
    EXPECT_EQ(acl_hits(h), hits);
  }
}

} // namespace
} // namespace sluice::testing
