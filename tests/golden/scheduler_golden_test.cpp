// Golden packets per scheduler: each row is a frame into the real worker and the exact frame it
// must send (which backend, rewritten how). Rows run in order on one worker, so cursors and
// connection counts carry from row to row as they would on the wire. Hash-based rows (sh, dh,
// mh) pin the backend a tuple maps to: a change of hash or table build shows here too.

#include <gtest/gtest.h>

#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

const std::string k_be3 = "02:00:00:00:0b:03";

std::string scheduler_yaml() {
  return lab_yaml_head(4096, "      - { address: 10.0.1.13, mac: \"" + k_be3 + "\" }\n") + R"(  - { name: wrr, address: 10.0.0.100, port: 81, scheduler: wrr, backends: [
      { address: 10.0.1.11, port: 8080, weight: 3 }, { address: 10.0.1.12, port: 8080, weight: 1 },
      { address: 10.0.1.13, port: 8080, weight: 0 }] }
  - { name: lc, address: 10.0.0.100, port: 82, scheduler: lc, backends: [
      { address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: wlc, address: 10.0.0.100, port: 83, scheduler: wlc, backends: [
      { address: 10.0.1.11, port: 8080, weight: 1 }, { address: 10.0.1.12, port: 8080, weight: 3 }] }
  - { name: sh, address: 10.0.0.100, port: 84, scheduler: sh, backends: [
      { address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }, { address: 10.0.1.13, port: 8080 }] }
  - { name: dh, address: 10.0.0.100, port: 85, scheduler: dh, backends: [
      { address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }, { address: 10.0.1.13, port: 8080 }] }
  - { name: mh, address: 10.0.0.100, port: 86, scheduler: mh, backends: [
      { address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }, { address: 10.0.1.13, port: 8080 }] }
  - { name: random, address: 10.0.0.100, port: 87, scheduler: random, backends: [
      { address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080, weight: 0 },
      { address: 10.0.1.13, port: 8080, weight: 2 }] }
)";
}

struct backend_ref {
  const std::string* mac;
  const char* addr;
};
const backend_ref be1{&k_be1, "10.0.1.11"}, be2{&k_be2, "10.0.1.12"}, be3{&k_be3, "10.0.1.13"};

// A client SYN to VIP port `vport` and the frame backend `b` must receive for it.
fixture syn_to(std::string name, const char* client, uint16_t cport, uint16_t vport,
               const backend_ref& b) {
  return {std::move(name), k_uplink,
          from_client().ipv4(client, "10.0.0.100").tcp(cport, vport, SYN).build(),
          {{k_downlink, to_backend(*b.mac).ipv4(client, b.addr, 63).tcp(cport, 8080, SYN).build()}},
          {}};
}

// The backend's SYN-ACK and the client's ACK that take a flow to ESTABLISHED (ActiveConn).
std::vector<fixture> establish(const char* client, uint16_t cport, uint16_t vport,
                               const backend_ref& b) {
  return {
      {"syn-ack from " + std::string(b.addr), k_downlink,
       from_backend(*b.mac).ipv4(b.addr, client).tcp(8080, cport, SYN | ACK, 9, 1001).build(),
       {{k_uplink, to_client().ipv4("10.0.0.100", client, 63).tcp(vport, cport, SYN | ACK, 9, 1001).build()}},
       {}},
      {"client ack establishes the flow", k_uplink,
       from_client().ipv4(client, "10.0.0.100").tcp(cport, vport, ACK, 1001, 10).build(),
       {{k_downlink, to_backend(*b.mac).ipv4(client, b.addr, 63).tcp(cport, 8080, ACK, 1001, 10).build()}},
       {}},
  };
}

std::vector<fixture> scheduler_fixtures() {
  const char* c = "10.0.0.1";
  std::vector<fixture> rows = {
      // wrr, weights 3:1:0 — IPVS's interleaving, the drained backend never appears.
      syn_to("wrr 1st connection: weight 3", c, 41000, 81, be1),
      syn_to("wrr 2nd connection: weight 3 again", c, 41001, 81, be1),
      syn_to("wrr 3rd connection: weight 3 again", c, 41002, 81, be1),
      syn_to("wrr 4th connection: weight 1's turn", c, 41003, 81, be2),
      syn_to("wrr 5th connection: the cycle restarts", c, 41004, 81, be1),
      // lc: ActiveConn counts 256 times InActConn.
      syn_to("lc: both idle, the first", c, 42000, 82, be1),
      syn_to("lc: the backend without a connection", c, 42001, 82, be2),
  };
  for (fixture& f : establish(c, 42000, 82, be1)) rows.push_back(std::move(f));
  for (fixture f : {
           syn_to("lc: one active (256) loses to one inactive (1)", c, 42002, 82, be2),
           syn_to("lc: one active (256) still loses to two inactive", c, 42003, 82, be2),
           // wlc, weights 1:3: overhead per weight.
           syn_to("wlc: both idle, the first", c, 43000, 83, be1),
           syn_to("wlc: 1/1 against 0/3", c, 43001, 83, be2),
           syn_to("wlc: 1/1 against 1/3", c, 43002, 83, be2),
           syn_to("wlc: 1/1 against 2/3", c, 43003, 83, be2),
           syn_to("wlc: 1/1 ties 3/3, the first wins", c, 43004, 83, be1),
           // sh: the client address alone decides.
           syn_to("sh: a client maps to one backend", c, 44000, 84, be1),
           syn_to("sh: the same client from another port, the same backend", c, 44001, 84, be1),
           syn_to("sh: another client", "198.51.100.7", 44000, 84, be1),
           syn_to("sh: another client again", "198.51.100.8", 44000, 84, be2),
           // dh: the destination (the VIP) alone decides.
           syn_to("dh: a client goes to the vip's backend", c, 45000, 85, be3),
           syn_to("dh: every client goes to the vip's backend", "198.51.100.7", 45000, 85, be3),
           // mh: the 5-tuple picks a Maglev slot.
           syn_to("mh: tuple 1", c, 46000, 86, be2),
           syn_to("mh: tuple 2", c, 46001, 86, be1),
           syn_to("mh: tuple 3", "198.51.100.7", 46000, 86, be2),
           syn_to("mh: tuple 4", "198.51.100.7", 46001, 86, be3),
           // random, weights 1:0:2, worker 0's generator: the drained backend never appears.
           syn_to("random 1", c, 47000, 87, be3),
           syn_to("random 2", c, 47001, 87, be1),
           syn_to("random 3", c, 47002, 87, be1),
           syn_to("random 4", c, 47003, 87, be3),
       })
    rows.push_back(std::move(f));
  return rows;
}

TEST(SchedulerGolden, EveryFixtureGoesToExactlyItsExpectedBackend) {
  dataplane_harness h(scheduler_yaml());
  for (const fixture& f : scheduler_fixtures()) {
    SCOPED_TRACE(f.name);
    const auto before = h.drop_counts();
    EXPECT_EQ(h.send(f.in_iface, f.input), f.expected);
    EXPECT_EQ(h.drop_counts(), before) << "no drop counter may move";
  }
}

TEST(SchedulerGolden, MaglevSendsATupleToTheSameBackendOnAFreshWorker) {
  // A new worker (another appliance, or this one after a restart) has no flow state: the
  // Maglev table alone must send the tuple where it went before.
  for (int run = 0; run < 2; ++run) {
    dataplane_harness h(scheduler_yaml());
    const fixture f = syn_to("mh: tuple 1 again", "10.0.0.1", 46000, 86, be2);
    EXPECT_EQ(h.send(f.in_iface, f.input), f.expected);
  }
}

// The worker schedules a burst's new flows before it inserts any (pipeline::plan_new_flows()).
// Runs `rows` as one burst and checks that every row's frames leave, in order, with no drop.
void expect_one_burst(dataplane_harness& h, const std::vector<fixture>& rows) {
  std::vector<bytes> burst;
  std::vector<sent_frame> expected;
  for (const fixture& f : rows) {
    burst.push_back(f.input);
    expected.insert(expected.end(), f.expected.begin(), f.expected.end());
  }
  const auto before = h.drop_counts();
  EXPECT_EQ(h.send_burst(k_uplink, burst), expected);
  EXPECT_EQ(h.drop_counts(), before) << "no drop counter may move";
}

TEST(SchedulerGolden, LcSeesTheNewFlowsScheduledBeforeItInTheSameBurst) {
  // Each choice counts the burst's earlier new flows as its backends' connections: without
  // that, all four would go to the first idle backend.
  dataplane_harness h(scheduler_yaml());
  const char* c = "10.0.0.1";
  expect_one_burst(h, {syn_to("lc 1st: both idle", c, 42000, 82, be1),
                       syn_to("lc 2nd: be1 has one", c, 42001, 82, be2),
                       syn_to("lc 3rd: one each", c, 42002, 82, be1),
                       syn_to("lc 4th: be1 has two", c, 42003, 82, be2)});
  EXPECT_EQ(h.stats().worker.flows_created.get(), 4u);
}

TEST(SchedulerGolden, ARetransmittedSynAndAnAckInTheSameBurstStayOnTheFirstSynsFlow) {
  // wrr 3:1:0 gives be1, be1, be1, be2 to new connections in turn. A SYN repeated in the burst
  // and the ACK behind it go on the flow the first SYN opens (not scheduled again, not dropped as
  // tcp_not_syn), so the cursor moves once per connection.
  dataplane_harness h(scheduler_yaml());
  const char* c = "10.0.0.1";
  const fixture first = syn_to("1st connection", c, 41000, 81, be1);
  fixture again = first;
  again.name = "its SYN again";
  const fixture ack = establish(c, 41000, 81, be1)[1];
  expect_one_burst(h, {first, again, ack, syn_to("2nd connection", c, 41001, 81, be1),
                       syn_to("3rd connection", c, 41002, 81, be1),
                       syn_to("4th connection: weight 1's turn", c, 41003, 81, be2)});
  EXPECT_EQ(h.stats().worker.flows_created.get(), 4u);
}

} // namespace
} // namespace sluice::testing
