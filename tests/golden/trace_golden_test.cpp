// Golden trace records: packets through the real worker with a trace session armed produce the
// stage records of what the worker did — a SYN's opened flow, backend, rewrite and next hop; the
// SYN-ACK's reverse rewrite; drops under the reason their counter names; the ACL rule that
// decided — while the frames on the wire are exactly the untraced ones. A filter that matches
// nothing records nothing, and a session ends itself after its count.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/golden/acl_lab.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

uint16_t be16(uint16_t p) { return htons(p); }

trace_filter vip_80() {
  trace_filter f;
  f.by_vip = true;
  f.vip = ip("10.0.0.100");
  f.vip_port = be16(80);
  return f;
}

void arm(dataplane_harness& h, const trace_filter& f, uint64_t count = 100) {
  auto session = std::make_unique<trace_session>(f, count, UINT64_MAX);
  ASSERT_TRUE(h.trace().arm(session));
}

std::vector<trace_record> drained(dataplane_harness& h) {
  std::vector<trace_record> out;
  h.trace().drain(out);
  return out;
}

bytes syn(uint16_t sport, const char* src = "10.0.0.1", uint16_t dport = 80) {
  return from_client().ipv4(src, "10.0.0.100").tcp(sport, dport, SYN).build();
}

TEST(TraceGolden, ASynAndItsReplyAreRecordedStageByStage) {
  dataplane_harness h(config_yaml());
  arm(h, vip_80());
  EXPECT_EQ(h.send(k_uplink, syn(40000)),
            (std::vector<sent_frame>{{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, SYN).build()}}));
  EXPECT_EQ(h.send(k_downlink, from_backend(k_be1).ipv4("10.0.1.11", "10.0.0.1").tcp(8080, 40000, SYN | ACK, 9, 1001).build()),
            (std::vector<sent_frame>{{k_uplink, to_client().ipv4("10.0.0.100", "10.0.0.1", 63).tcp(80, 40000, SYN | ACK, 9, 1001).build()}}));
  const auto r = drained(h);
  ASSERT_EQ(r.size(), 2u);

  const trace_record& s = r[0];
  EXPECT_EQ(s.in_iface, k_uplink);
  EXPECT_EQ(s.before, (trace_tuple{ip("10.0.0.1"), ip("10.0.0.100"), be16(40000), be16(80), IPPROTO_TCP}));
  EXPECT_EQ(s.tcp_flags, SYN);
  EXPECT_EQ(s.flow, trace_flow::opened);
  EXPECT_FALSE(s.reply);
  EXPECT_FALSE(s.local);
  EXPECT_EQ(s.acl, trace_acl::not_judged);
  EXPECT_EQ(s.vip, ip("10.0.0.100"));
  EXPECT_EQ(s.backend, ip("10.0.1.11"));
  EXPECT_EQ(s.backend_port, be16(8080));
  EXPECT_EQ(scheduler_kind(s.scheduler), scheduler_kind::rr);
  EXPECT_EQ(forwarding(s.mode), forwarding::nat);
  EXPECT_EQ(s.outcome, trace_outcome::forwarded);
  EXPECT_EQ(s.after, (trace_tuple{ip("10.0.0.1"), ip("10.0.1.11"), be16(40000), be16(8080), IPPROTO_TCP}));
  EXPECT_EQ(s.out_iface, k_downlink);
  EXPECT_EQ(s.next_hop, ip("10.0.1.11"));

  const trace_record& a = r[1];
  EXPECT_EQ(a.in_iface, k_downlink);
  EXPECT_EQ(a.tcp_flags, SYN | ACK);
  EXPECT_EQ(a.flow, trace_flow::hit);
  EXPECT_TRUE(a.reply);
  EXPECT_EQ(a.client, ip("10.0.0.1"));
  EXPECT_EQ(a.backend, ip("10.0.1.11"));
  EXPECT_EQ(a.after, (trace_tuple{ip("10.0.0.100"), ip("10.0.0.1"), be16(80), be16(40000), IPPROTO_TCP}));
  EXPECT_EQ(a.out_iface, k_uplink);
  EXPECT_EQ(a.next_hop, ip("10.0.0.1"));
  EXPECT_LE(s.tsc, a.tsc);
}

TEST(TraceGolden, DropsAreRecordedUnderTheReasonTheirCounterNames) {
  dataplane_harness h(config_yaml());
  trace_filter f;
  f.drops_only = true;
  arm(h, f);
  bytes bad_checksum = syn(40001);
  bad_checksum[14 + 20 + 16] ^= 0x5a; // the TCP checksum
  const auto before = h.drop_counts();
  EXPECT_TRUE(h.send(k_uplink, bad_checksum).empty());
  EXPECT_TRUE(h.send(k_uplink, syn(40002, "10.0.0.1", 81)).empty());
  EXPECT_TRUE(h.send(k_uplink, bytes{0x02, 0x00, 0x00, 0x00}).empty());
  EXPECT_EQ(h.send(k_uplink, syn(40003)).size(), 1u); // forwarded: not a drop
  const auto r = drained(h);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].drop, drop_reason::l4_bad_checksum);
  EXPECT_EQ(r[1].drop, drop_reason::no_service);
  EXPECT_EQ(r[1].flow, trace_flow::miss);
  EXPECT_EQ(r[2].drop, drop_reason::frame_truncated);
  EXPECT_EQ(r[2].before.proto, 0); // nothing of IPv4 to read
  auto after = h.drop_counts();
  for (const trace_record& d : r) {
    EXPECT_EQ(d.outcome, trace_outcome::dropped);
    after[std::string(name_of(d.drop))] -= 1;
  }
  EXPECT_EQ(after, before) << "each recorded drop is exactly one counted drop";
}

TEST(TraceGolden, AFilterThatMatchesNothingRecordsNothingAndChangesNothing) {
  dataplane_harness h(config_yaml());
  trace_filter f = vip_80();
  f.vip_port = be16(8443);
  arm(h, f);
  // What the untraced worker sends (nat_golden_test's rows): rr alternates be1 and be2.
  for (uint16_t port = 41000; port < 41004; ++port) {
    const bool first = port % 2 == 0;
    EXPECT_EQ(h.send(k_uplink, syn(port)),
              (std::vector<sent_frame>{{k_downlink, to_backend(first ? k_be1 : k_be2)
                                                        .ipv4("10.0.0.1", first ? "10.0.1.11" : "10.0.1.12", 63)
                                                        .tcp(port, 8080, SYN)
                                                        .build()}}));
  }
  EXPECT_TRUE(drained(h).empty());
}

TEST(TraceGolden, TheSessionEndsItselfAfterItsCount) {
  dataplane_harness h(config_yaml());
  arm(h, vip_80(), 2);
  for (uint16_t port = 42000; port < 42004; ++port) EXPECT_EQ(h.send(k_uplink, syn(port)).size(), 1u);
  EXPECT_EQ(drained(h).size(), 2u);
  EXPECT_EQ(h.trace().armed(), nullptr) << "a spent session is no longer armed for the workers";
}

TEST(TraceGolden, ABackendFilterKeepsOnlyTheFlowsScheduledToIt) {
  dataplane_harness h(config_yaml());
  trace_filter f;
  f.by_backend = true;
  f.backend = ip("10.0.1.12");
  f.backend_port = be16(8080);
  arm(h, f);
  h.send(k_uplink, syn(43000)); // rr: be1
  h.send(k_uplink, syn(43001)); // rr: be2
  const auto r = drained(h);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].before.sport, be16(43001));
  EXPECT_EQ(r[0].backend, ip("10.0.1.12"));
}

TEST(TraceGolden, TheAclVerdictNamesTheRuleThatDecided) {
  dataplane_harness h(acl_config_yaml());
  arm(h, vip_80());
  EXPECT_TRUE(h.send(k_uplink, syn(44000, "10.9.0.5")).empty());
  EXPECT_EQ(h.send(k_uplink, syn(44001, "10.0.0.1")).size(), 1u);
  // The edge set's payload rule waits for the first data: that packet decides.
  EXPECT_EQ(h.send(k_uplink, from_client()
                                 .ipv4("10.0.0.1", "10.0.0.100")
                                 .tcp(44001, 80, PSH | ACK, 1, 1)
                                 .payload("GET / HTTP/1.1\r\n\r\n")
                                 .build())
                .size(),
            1u);
  const auto r = drained(h);
  ASSERT_EQ(r.size(), 3u);
  const acl_tables& t = *h.published().acl->tables;
  auto slot_of = [&](const std::string& set, const std::string& rule) {
    for (std::size_t i = 0; i < t.sets.size(); ++i)
      for (uint32_t k = 0; k < t.sets[i].rule_count; ++k)
        if (t.set_names[i] == set && t.rule_names[t.sets[i].first_rule + k] == rule)
          return t.rules[t.sets[i].first_rule + k].hit_slot;
    ADD_FAILURE() << "no rule " << set << "/" << rule;
    return uint32_t{0};
  };
  EXPECT_EQ(r[0].acl, trace_acl::denied);
  EXPECT_EQ(r[0].acl_rule, slot_of("edge", "blocked-net"));
  EXPECT_EQ(r[0].outcome, trace_outcome::dropped);
  EXPECT_EQ(r[0].drop, drop_reason::acl_denied);
  EXPECT_EQ(r[1].acl, trace_acl::pending);
  EXPECT_EQ(r[1].acl_rule, k_trace_no_rule);
  EXPECT_EQ(r[1].flow, trace_flow::opened);
  EXPECT_EQ(r[2].flow, trace_flow::hit);
  EXPECT_EQ(r[2].acl, trace_acl::allowed);
  EXPECT_EQ(r[2].acl_rule, slot_of("office", "office-net"));
}

} // namespace
} // namespace sluice::testing
