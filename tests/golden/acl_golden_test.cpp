// Golden packets for ACLs: each row is a NAT-lab fixture plus the ACL hit counters it must move
// and whether it costs a Hyperscan scan. Rows run in order on one worker, so a flow's verdict
// carries from row to row: the rows after a verdict prove it is cached (no hit, no scan).

#include <gtest/gtest.h>

#include "tests/golden/acl_lab.hpp"
#include "dataplane/worker/handoff.hpp"
#include "tests/golden/direct_lab.hpp"

namespace sluice::testing {
namespace {

struct acl_row {
  fixture f;
  std::map<std::string, uint64_t> hits; // "set/rule" -> flows decided by this row
  uint64_t scans = 0;
};

packet_builder client(const char* src) { return from_client().ipv4(src, "10.0.0.100"); }
packet_builder web_backend(const char* src) {
  return to_backend(k_be1).ipv4(src, "10.0.1.11", 63);
}

std::vector<acl_row> acl_rows() {
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const bytes prohibited_syn = client("10.7.1.1").tcp(40000, 80, SYN).build();
  return {
      {{"syn from a denied network is dropped", k_uplink,
        client("10.9.1.1").tcp(40000, 80, SYN).build(), {}, drop_reason::acl_denied},
       {{"edge/blocked-net", 1}}},
      {{"its retransmission is classified again and dropped again", k_uplink,
        client("10.9.1.1").tcp(40000, 80, SYN).build(), {}, drop_reason::acl_denied},
       {{"edge/blocked-net", 1}}},
      {{"a deny with reply rst answers the syn with a reset from the vip", k_uplink,
        client("10.8.1.1").tcp(40000, 80, SYN, 1000).build(),
        {{k_uplink, to_client().ipv4("10.0.0.100", "10.8.1.1").tcp(80, 40000, RST | ACK, 0, 1001).window(0).build()}},
        drop_reason::acl_denied},
       {{"edge/reset-net", 1}}},
      {{"a deny with reply icmp answers administratively prohibited", k_uplink, prohibited_syn,
        {{k_uplink, gateway_icmp_frame(up, k_client, "10.0.0.100", 3, 13, 0, prohibited_syn)}},
        drop_reason::acl_denied},
       {{"edge/prohibited-net", 1}}},
      {{"a source outside the service's allow-list meets the set's default deny", k_uplink,
        client("10.6.0.1").tcp(40000, 80, SYN).build(), {}, drop_reason::acl_denied},
       {{"edge/", 0}, {"office/", 1}}},
      // An allowed source: the payload rule no-admin matches its addresses, so the flow waits.
      {{"syn from the office passes while the payload rule waits for data", k_uplink,
        client("10.5.1.1").tcp(40000, 80, SYN, 1000).build(),
        {{k_downlink, web_backend("10.5.1.1").tcp(40000, 8080, SYN, 1000).build()}}, {}},
       {}},
      {{"the handshake ack carries no payload and passes", k_uplink,
        client("10.5.1.1").tcp(40000, 80, ACK, 1001, 10).build(),
        {{k_downlink, web_backend("10.5.1.1").tcp(40000, 8080, ACK, 1001, 10).build()}}, {}},
       {}},
      {{"the first data segment is scanned and allowed", k_uplink,
        client("10.5.1.1").tcp(40000, 80, PSH | ACK, 1001, 10).payload("GET /index.html HTTP/1.1\r\n\r\n").build(),
        {{k_downlink, web_backend("10.5.1.1").tcp(40000, 8080, PSH | ACK, 1001, 10).payload("GET /index.html HTTP/1.1\r\n\r\n").build()}}, {}},
       {{"edge/", 1}, {"office/office-net", 1}}, 1},
      {{"a decided flow is never scanned again, even for a matching payload", k_uplink,
        client("10.5.1.1").tcp(40000, 80, PSH | ACK, 1028, 10).payload("GET /admin HTTP/1.1\r\n\r\n").build(),
        {{k_downlink, web_backend("10.5.1.1").tcp(40000, 8080, PSH | ACK, 1028, 10).payload("GET /admin HTTP/1.1\r\n\r\n").build()}}, {}},
       {}},
      {{"another flow's syn waits too", k_uplink,
        client("10.5.1.1").tcp(40001, 80, SYN, 2000).build(),
        {{k_downlink, to_backend(k_be2).ipv4("10.5.1.1", "10.0.1.12", 63).tcp(40001, 8080, SYN, 2000).build()}}, {}},
       {}},
      {{"a caseless pattern match in its first data denies it with a reset", k_uplink,
        client("10.5.1.1").tcp(40001, 80, PSH | ACK, 2001, 77).payload("get /ADMIN HTTP/1.1\r\n\r\n").build(),
        {{k_uplink, to_client().ipv4("10.0.0.100", "10.5.1.1").tcp(80, 40001, RST, 77, 0).window(0).build()}},
        drop_reason::acl_denied},
       {{"edge/no-admin", 1}}, 1},
      {{"the denied flow's later packets are dropped without a scan", k_uplink,
        client("10.5.1.1").tcp(40001, 80, PSH | ACK, 2001, 77).payload("harmless").build(), {},
        drop_reason::acl_denied},
       {}},
      {{"udp is scanned on its first datagram and allowed", k_uplink,
        client("10.0.0.1").udp(50000, 53).payload("query").build(),
        {{k_downlink, web_backend("10.0.0.1").udp(50000, 5353).payload("query").build()}}, {}},
       {{"edge/", 1}}, 1},
      {{"udp whose first datagram matches a payload deny is dropped", k_uplink,
        client("10.0.0.1").udp(50001, 53).payload("EVIL query").build(), {}, drop_reason::acl_denied},
       {{"edge/evil-udp", 1}}, 1},
      {{"a syn from the office to a port the allow-list covers but no service has", k_uplink,
        client("10.5.1.1").tcp(40002, 81, SYN).build(), {}, drop_reason::no_service},
       {}},
      {{"a syn from outside a service's allowed_sources meets its implicit set's deny", k_uplink,
        client("10.6.0.1").tcp(40003, 8443, SYN).build(), {}, drop_reason::acl_denied},
       {{"edge/", 1}, {"admin:allowed_sources/", 1}}},
      {{"a syn from inside allowed_sources reaches the backend", k_uplink,
        client("10.5.1.1").tcp(40003, 8443, SYN, 3000).build(),
        {{k_downlink, to_backend(k_be2).ipv4("10.5.1.1", "10.0.1.12", 63).tcp(40003, 8443, SYN, 3000).build()}}, {}},
       {{"edge/", 1}, {"admin:allowed_sources/allowed", 1}}},
  };
}

TEST(AclGolden, EveryRowProducesItsFramesDropsHitsAndScans) {
  dataplane_harness h(acl_config_yaml());
  for (const acl_row& row : acl_rows()) {
    SCOPED_TRACE(row.f.name);
    const auto hits_before = acl_hits(h);
    const uint64_t scans_before = h.stats().worker.acl_scans.get();
    run_fixtures(h, {row.f});
    auto expected = hits_before;
    for (const auto& [rule, n] : row.hits) {
      ASSERT_TRUE(expected.count(rule)) << rule;
      expected[rule] += n;
    }
    EXPECT_EQ(acl_hits(h), expected);
    EXPECT_EQ(h.stats().worker.acl_scans.get() - scans_before, row.scans);
  }
}

TEST(AclGolden, WithoutPayloadAfterTheHoldTheFlowIsDecidedOnAddresses) {
  dataplane_harness h(acl_config_yaml());
  h.send(k_uplink, client("10.5.1.1").tcp(40000, 80, SYN, 1000).build());
  // dataplane.acl_pending_packets is 8 by default: eight empty segments wait, the ninth decides.
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(h.send(k_uplink, client("10.5.1.1").tcp(40000, 80, ACK, 1001, 10).build()).size(), 1u);
  EXPECT_EQ(acl_hits(h)["office/office-net"], 0u) << "still pending";
  h.send(k_uplink, client("10.5.1.1").tcp(40000, 80, ACK, 1001, 10).build());
  EXPECT_EQ(acl_hits(h)["office/office-net"], 1u);
  EXPECT_EQ(h.stats().worker.acl_scans.get(), 0u) << "no payload, nothing to scan";
  // Decided: a matching payload now passes unscanned.
  EXPECT_EQ(h.send(k_uplink, client("10.5.1.1").tcp(40000, 80, PSH | ACK, 1001, 10).payload("GET /admin").build()).size(), 1u);
  EXPECT_EQ(h.stats().worker.acl_scans.get(), 0u);
}

// A client address in `net` ("10.5.0.") whose flows worker `w` of two owns.
std::string owned_by(unsigned w, const std::string& net) {
  for (unsigned i = 1;; ++i)
    if (flow_owner(ip((net + std::to_string(i)).c_str()), 2) == w) return net + std::to_string(i);
}

TEST(AclGolden, TwoWorkersDecideEachFlowOnItsOwnerWhicheverQueueItArrivesOn) {
  dataplane_harness h(acl_config_yaml(), 2);
  // An office client owned by worker 1, every packet arriving on worker 0's queue: the hold,
  // the scan and the cached verdict all live in worker 1's flow.
  const std::string office = owned_by(1, "10.5.1.");
  const char* c = office.c_str();
  ASSERT_EQ(h.send(k_uplink, client(c).tcp(40000, 80, SYN, 1000).build(), 0).size(), 1u);
  const std::vector<sent_frame> reset = {
      {k_uplink, to_client().ipv4("10.0.0.100", c).tcp(80, 40000, RST, 77, 0).window(0).build()}};
  EXPECT_EQ(h.send(k_uplink, client(c).tcp(40000, 80, PSH | ACK, 1001, 77).payload("GET /admin").build(), 0), reset);
  EXPECT_TRUE(h.send(k_uplink, client(c).tcp(40000, 80, PSH | ACK, 1001, 77).payload("x").build(), 1).empty());
  EXPECT_EQ(acl_hits(h, 1)["edge/no-admin"], 1u);
  EXPECT_EQ(acl_hits(h, 0)["edge/no-admin"], 0u);
  EXPECT_EQ(h.stats(1).worker.acl_scans.get(), 1u);
  EXPECT_EQ(h.stats(0).worker.acl_scans.get(), 0u);
  EXPECT_GT(h.stats(0).worker.handoff_out.get(), 0u);

  // A denied source owned by worker 0 arriving on worker 1's queue: refused by worker 0.
  const std::string blocked = owned_by(0, "10.9.1.");
  EXPECT_TRUE(h.send(k_uplink, client(blocked.c_str()).tcp(40001, 80, SYN).build(), 1).empty());
  EXPECT_EQ(acl_hits(h, 0)["edge/blocked-net"], 1u);
  EXPECT_EQ(acl_hits(h, 1)["edge/blocked-net"], 0u);
}

TEST(AclGolden, ReloadWithoutAclsLetsEveryoneIn) {
  dataplane_harness h(acl_config_yaml());
  EXPECT_TRUE(h.send(k_uplink, client("10.9.1.1").tcp(40000, 80, SYN).build()).empty());
  h.reconfigure(config_yaml());
  EXPECT_EQ(h.send(k_uplink, client("10.9.1.1").tcp(40000, 80, SYN).build()).size(), 1u);
}

} // namespace
} // namespace sluice::testing
