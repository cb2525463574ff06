// Property: a trace filter keeps exactly the packets every given criterion names — the VIP by
// the packet's flow (so a NAT reply, which carries the backend's address, still counts as the
// service's), the client by prefix, the backend by the flow's choice, drops by outcome — and its
// cheap pre-checks never turn away a packet the exact check would keep.
#include <gtest/gtest.h>

#include "dataplane/trace/filter.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice {
namespace {

using testing::ip;
uint16_t port(uint16_t p) { return htons(p); }

trace_filter vip_filter() {
  trace_filter f;
  f.by_vip = true;
  f.vip = ip("10.0.0.100");
  f.vip_port = port(80);
  return f;
}

flow web_flow() {
  flow f{};
  f.client_addr = ip("192.0.2.7");
  f.client_port = port(40000);
  f.vip = ip("10.0.0.100");
  f.vip_port = port(80);
  f.backend_addr = ip("10.0.1.11");
  f.backend_port = port(8080);
  f.proto = IPPROTO_TCP;
  return f;
}

// The record a worker writes for a packet of web_flow().
trace_record on_web_flow(bool reply, trace_outcome outcome = trace_outcome::forwarded) {
  const flow f = web_flow();
  trace_record r;
  r.before = reply ? trace_tuple{f.backend_addr, f.client_addr, f.backend_port, f.client_port, IPPROTO_TCP}
                   : trace_tuple{f.client_addr, f.vip, f.client_port, f.vip_port, IPPROTO_TCP};
  r.flow = trace_flow::hit;
  r.reply = reply;
  r.client = f.client_addr;
  r.vip = f.vip;
  r.vip_port = f.vip_port;
  r.backend = f.backend_addr;
  r.backend_port = f.backend_port;
  r.outcome = outcome;
  if (outcome == trace_outcome::dropped) r.drop = drop_reason::l4_bad_checksum;
  return r;
}

TEST(TraceFilter, VipMatchesBothDirectionsOfItsFlows) {
  const trace_filter f = vip_filter();
  EXPECT_TRUE(f.matches(on_web_flow(false)));
  EXPECT_TRUE(f.matches(on_web_flow(true)));
  EXPECT_TRUE(f.may_match_flow(web_flow()));
}

TEST(TraceFilter, VipRefusesAnotherPortOfTheSameAddress) {
  trace_filter f = vip_filter();
  f.vip_port = port(443);
  EXPECT_FALSE(f.matches(on_web_flow(false)));
  EXPECT_FALSE(f.matches(on_web_flow(true)));
  EXPECT_FALSE(f.may_match_flow(web_flow()));
  EXPECT_FALSE(f.may_match_new({ip("192.0.2.7"), ip("10.0.0.100"), port(40000), port(80), IPPROTO_TCP}));
}

TEST(TraceFilter, VipWithoutFlowJudgesTheDestinationItArrivedFor) {
  const trace_filter f = vip_filter();
  trace_record r;
  r.before = {ip("192.0.2.7"), ip("10.0.0.100"), port(40000), port(80), IPPROTO_TCP};
  r.flow = trace_flow::miss;
  r.outcome = trace_outcome::dropped;
  r.drop = drop_reason::tcp_not_syn;
  EXPECT_TRUE(f.matches(r));
  r.before.dport = port(81);
  EXPECT_FALSE(f.matches(r));
}

TEST(TraceFilter, ClientMatchesByPrefix) {
  trace_filter f;
  f.by_client = true;
  f.client = ip("192.0.2.0");
  f.client_len = 24;
  EXPECT_TRUE(f.matches(on_web_flow(false)));
  EXPECT_TRUE(f.matches(on_web_flow(true)));
  f.client = ip("192.0.3.0");
  EXPECT_FALSE(f.matches(on_web_flow(false)));
  EXPECT_FALSE(f.may_match_flow(web_flow()));
  f.client_len = 0; // every client
  EXPECT_TRUE(f.matches(on_web_flow(true)));
}

TEST(TraceFilter, BackendNeedsTheFlowToHaveChosenIt) {
  trace_filter f;
  f.by_backend = true;
  f.backend = ip("10.0.1.11");
  f.backend_port = port(8080);
  EXPECT_TRUE(f.matches(on_web_flow(false)));
  EXPECT_TRUE(f.may_match_flow(web_flow()));
  trace_record no_flow = on_web_flow(false);
  no_flow.flow = trace_flow::miss;
  EXPECT_FALSE(f.matches(no_flow));
  f.backend_port = port(8081);
  EXPECT_FALSE(f.matches(on_web_flow(false)));
}

TEST(TraceFilter, DropsOnlyKeepsDroppedPackets) {
  trace_filter f = vip_filter();
  f.drops_only = true;
  EXPECT_FALSE(f.matches(on_web_flow(false)));
  EXPECT_TRUE(f.matches(on_web_flow(false, trace_outcome::dropped)));
}

TEST(TraceFilter, EveryCriterionMustHold) {
  trace_filter f = vip_filter();
  f.by_client = true;
  f.client = ip("198.51.100.0");
  f.client_len = 24;
  EXPECT_FALSE(f.matches(on_web_flow(false)));
  EXPECT_FALSE(f.may_match_flow(web_flow()));
}

TEST(TraceFilter, EmptyFilterMatchesEverything) {
  const trace_filter f;
  EXPECT_TRUE(f.matches(trace_record{}));
  EXPECT_TRUE(f.may_match_frame(trace_tuple{}));
  EXPECT_TRUE(f.may_match_flow(web_flow()));
}

TEST(TraceFilter, FramePrecheckKeepsWhatTheExactCheckKeeps) {
  // A packet consumed before the flow lookup is judged without a flow: its arrival tuple.
  const trace_filter f = vip_filter();
  const trace_tuple to_vip{ip("192.0.2.7"), ip("10.0.0.100"), port(40000), port(80), IPPROTO_TCP};
  const trace_tuple elsewhere{ip("192.0.2.7"), ip("10.0.0.101"), port(40000), port(80), IPPROTO_TCP};
  EXPECT_TRUE(f.may_match_frame(to_vip));
  EXPECT_FALSE(f.may_match_frame(elsewhere));
  trace_record r;
  r.before = elsewhere;
  EXPECT_FALSE(f.matches(r));
}

} // namespace
} // namespace sluice
