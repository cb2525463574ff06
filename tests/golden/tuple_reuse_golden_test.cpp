// Golden packets for a new NAT flow whose reply tuple (backend:port -> client:port) is still held
// by an earlier flow: the client's kernel reused a source port towards another port of the same
// VIP, which the same backend serves. A flow that is over gives its tuple up; a live one keeps it.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/golden/direct_lab.hpp"
#include "tests/golden/harness.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

// web (80) and web81 (81) share their backends, as do echo (53) and echo54 (54); each service's
// rr starts at be1, so the n-th connection to either port reaches the same backend.
std::string two_ports_yaml(const std::string& dataplane_extra = "") {
  std::string yaml = config_yaml() +
                     R"(  - { name: web81, address: 10.0.0.100, port: 81, protocol: tcp,
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: echo54, address: 10.0.0.100, port: 54, protocol: udp,
      backends: [{ address: 10.0.1.11, port: 5353 }] }
)";
  const std::string flows = "flows_per_worker: 1024,";
  yaml.replace(yaml.find(flows), flows.size(), flows + dataplane_extra);
  return yaml;
}

auto client() { return from_client().ipv4("10.0.0.1", "10.0.0.100"); }
auto at_be1() { return to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63); }
auto from_be1() { return from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1"); }
auto to_cl() { return to_client().ipv4("10.0.0.100", "10.0.0.1", 63); }

// A connection from client port 40000 to VIP:80 on be1, established.
std::vector<fixture> connection_on_port_80() {
  return {
      {"syn to port 80 goes to be1", k_uplink, client().tcp(40000, 80, SYN, 100).build(),
       {{k_downlink, at_be1().tcp(40000, 8080, SYN, 100).build()}}, {}},
      {"be1's syn-ack returns from port 80", k_downlink,
       from_be1().tcp(8080, 40000, SYN | ACK, 900, 101).build(),
       {{k_uplink, to_cl().tcp(80, 40000, SYN | ACK, 900, 101).build()}}, {}},
      {"the client's ack establishes it", k_uplink, client().tcp(40000, 80, ACK, 101, 901).build(),
       {{k_downlink, at_be1().tcp(40000, 8080, ACK, 101, 901).build()}}, {}},
  };
}

TEST(TupleReuseGolden, ASynToAnotherVipPortTakesTheReplyTupleOfAClosingFlow) {
  dataplane_harness h(two_ports_yaml());
  std::vector<fixture> rows = connection_on_port_80();
  rows.insert(rows.end(), {
      {"be1 closes first", k_downlink, from_be1().tcp(8080, 40000, FIN | ACK, 901, 101).build(),
       {{k_uplink, to_cl().tcp(80, 40000, FIN | ACK, 901, 101).build()}}, {}},
      {"the client closes too", k_uplink, client().tcp(40000, 80, FIN | ACK, 101, 902).build(),
       {{k_downlink, at_be1().tcp(40000, 8080, FIN | ACK, 101, 902).build()}}, {}},
      {"the same client port opens port 81, reaching be1 on the same tuple", k_uplink,
       client().tcp(40000, 81, SYN, 5000).build(),
       {{k_downlink, at_be1().tcp(40000, 8080, SYN, 5000).build()}}, {}},
      {"be1's syn-ack now returns from port 81, not 80", k_downlink,
       from_be1().tcp(8080, 40000, SYN | ACK, 7000, 5001).build(),
       {{k_uplink, to_cl().tcp(81, 40000, SYN | ACK, 7000, 5001).build()}}, {}},
      {"a late segment of the port-80 connection finds no flow", k_uplink,
       client().tcp(40000, 80, ACK, 102, 903).build(), {}, drop_reason::tcp_not_syn},
  });
  run_fixtures(h, rows);
  // The closing flow was replaced, not left beside its successor: one flow, counted once.
  EXPECT_EQ(h.dataplane().flows().size(), 1u);
  EXPECT_EQ(h.stats().worker.flows_active.get(), 1u);
  EXPECT_EQ(h.stats().worker.flows_created.get(), 2u);
  const uint32_t be1_on_80 = h.backend_slot("web", "10.0.1.11");
  const uint32_t be1_on_81 = h.backend_slot("web81", "10.0.1.11");
  EXPECT_EQ(h.stats().backends[be1_on_80].inactive.get(), 0u);
  EXPECT_EQ(h.stats().backends[be1_on_80].active.get(), 0u);
  EXPECT_EQ(h.stats().backends[be1_on_81].inactive.get(), 1u) << "the new flow, in SYN_RECV";
}

TEST(TupleReuseGolden, AnEstablishedFlowKeepsItsReplyTuple) {
  dataplane_harness h(two_ports_yaml());
  std::vector<fixture> rows = connection_on_port_80();
  rows.insert(rows.end(), {
      {"a syn to port 81 on the live tuple is refused", k_uplink,
       client().tcp(40000, 81, SYN, 5000).build(), {}, drop_reason::flow_key_conflict},
      {"the live connection still returns from port 80", k_downlink,
       from_be1().tcp(8080, 40000, PSH | ACK, 901, 101).payload("ok").build(),
       {{k_uplink, to_cl().tcp(80, 40000, PSH | ACK, 901, 101).payload("ok").build()}}, {}},
  });
  run_fixtures(h, rows);
}

TEST(TupleReuseGolden, ASegmentOtherThanASynDoesNotTakeAClosingFlowsTuple) {
  // A mid-connection segment to port 81 is refused before it could claim anything (tcp_not_syn),
  // and the closing flow still answers for port 80.
  dataplane_harness h(two_ports_yaml());
  std::vector<fixture> rows = connection_on_port_80();
  rows.insert(rows.end(), {
      {"be1 closes", k_downlink, from_be1().tcp(8080, 40000, FIN | ACK, 901, 101).build(),
       {{k_uplink, to_cl().tcp(80, 40000, FIN | ACK, 901, 101).build()}}, {}},
      {"an ack to port 81 is no new connection", k_uplink,
       client().tcp(40000, 81, ACK, 5000, 1).build(), {}, drop_reason::tcp_not_syn},
      {"the client's fin still follows the port-80 flow", k_uplink,
       client().tcp(40000, 80, FIN | ACK, 101, 902).build(),
       {{k_downlink, at_be1().tcp(40000, 8080, FIN | ACK, 101, 902).build()}}, {}},
  });
  run_fixtures(h, rows);
}

TEST(TupleReuseGolden, AUdpFlowPastItsTimeoutGivesUpItsReplyTupleBeforeExpiryReachesIt) {
  dataplane_harness h(two_ports_yaml(" timeouts: { udp: 1 },"));
  run_fixtures(h, {
      {"udp to port 53 goes to be1", k_uplink, client().udp(50000, 53).payload("a").build(),
       {{k_downlink, at_be1().udp(50000, 5353).payload("a").build()}}, {}},
      {"a live udp flow keeps its reply tuple", k_uplink,
       client().udp(50000, 54).payload("b").build(), {}, drop_reason::flow_key_conflict},
  });
  // Past the timeout without a poll: expiry has not run, so the flow is still in the table when
  // the next datagram arrives (a worker receives before it expires).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(h.dataplane().flows().size(), 1u);
  run_fixtures(h, {
      {"the same client port to port 54 is a new flow on the same tuple", k_uplink,
       client().udp(50000, 54).payload("c").build(),
       {{k_downlink, at_be1().udp(50000, 5353).payload("c").build()}}, {}},
      {"be1's answer returns from port 54", k_downlink,
       from_be1().udp(5353, 50000).payload("be1:c").build(),
       {{k_uplink, to_cl().udp(54, 50000).payload("be1:c").build()}}, {}},
  });
  EXPECT_EQ(h.dataplane().flows().size(), 1u);
  EXPECT_EQ(h.stats().worker.flows_active.get(), 1u);
}

} // namespace
} // namespace sluice::testing
