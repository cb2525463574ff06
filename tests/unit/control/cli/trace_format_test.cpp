// Property: a worker's trace record reads back as the stages that decided it — arrival, flow,
// ACL rule by name, scheduler and backend, the rewrite, egress and next hop, or the drop
// reason's counter name — in the API's entry and in sluicectl's text; a request's bad filter
// field is refused by name.
#include <gtest/gtest.h>

#include <variant>

#include "control/admin/trace_view.hpp"
#include "control/cli/trace_format.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice {
namespace {

using testing::ip;
uint16_t port(uint16_t p) { return htons(p); }

trace_names lab_names() {
  return {.interfaces = {"uplink", "downlink"},
          .acl_rules = {{7, "edge/allow-web"}},
          .start_tsc = 1'000'000,
          .tsc_hz = 1'000'000'000};
}

// A client's SYN that opened a NAT flow to backend 10.0.1.11:8080.
trace_record opening_syn() {
  trace_record r;
  r.tsc = 1'000'000 + 2'500'000; // 2.5 ms after arming at 1 GHz
  r.worker = 1;
  r.in_iface = 0;
  r.before = {ip("192.0.2.7"), ip("10.0.0.100"), port(40000), port(80), IPPROTO_TCP};
  r.tcp_flags = 0x02;
  r.flow = trace_flow::opened;
  r.client = ip("192.0.2.7");
  r.vip = ip("10.0.0.100");
  r.vip_port = port(80);
  r.backend = ip("10.0.1.11");
  r.backend_port = port(8080);
  r.scheduler = uint8_t(scheduler_kind::wrr);
  r.mode = uint8_t(forwarding::nat);
  r.acl = trace_acl::allowed;
  r.acl_rule = 7;
  r.outcome = trace_outcome::forwarded;
  r.after = {ip("192.0.2.7"), ip("10.0.1.11"), port(40000), port(8080), IPPROTO_TCP};
  r.out_iface = 1;
  r.next_hop = ip("10.0.1.11");
  return r;
}

TEST(TraceView, AnOpeningSynShowsEveryStageThatDecidedIt) {
  const api::trace_entry e = trace_entry_view(opening_syn(), lab_names());
  EXPECT_EQ(e.at_us, 2500u);
  EXPECT_EQ(e.worker, 1u);
  EXPECT_EQ(e.interface, "uplink");
  EXPECT_EQ(e.protocol, "tcp");
  EXPECT_EQ(e.tcp_flags, "S");
  EXPECT_EQ(e.source, "192.0.2.7:40000");
  EXPECT_EQ(e.destination, "10.0.0.100:80");
  EXPECT_EQ(e.flow, "opened");
  EXPECT_EQ(e.direction, "forward");
  EXPECT_EQ(e.acl, "allowed");
  EXPECT_EQ(e.acl_rule, "edge/allow-web");
  EXPECT_EQ(e.service, "10.0.0.100:80");
  EXPECT_EQ(e.scheduler, "wrr");
  EXPECT_EQ(e.backend, "10.0.1.11:8080");
  EXPECT_EQ(e.forwarding, "nat");
  EXPECT_EQ(e.outcome, "forwarded");
  EXPECT_EQ(e.rewritten_source, "192.0.2.7:40000");
  EXPECT_EQ(e.rewritten_destination, "10.0.1.11:8080");
  EXPECT_EQ(e.egress, "downlink");
  EXPECT_EQ(e.next_hop, "10.0.1.11");
  EXPECT_EQ(e.drop, "");
}

TEST(TraceView, ADroppedPacketNamesItsReasonAndNoRewrite) {
  trace_record r;
  r.before = {ip("192.0.2.7"), ip("10.0.0.100"), port(40000), port(80), IPPROTO_TCP};
  r.tcp_flags = 0x12;
  r.outcome = trace_outcome::dropped;
  r.drop = drop_reason::l4_bad_checksum;
  r.after = {ip("1.1.1.1"), ip("2.2.2.2"), 1, 2, IPPROTO_TCP}; // stale: must not be shown
  const api::trace_entry e = trace_entry_view(r, lab_names());
  EXPECT_EQ(e.tcp_flags, "SA");
  EXPECT_EQ(e.drop, "l4_bad_checksum");
  EXPECT_EQ(e.flow, "");
  EXPECT_EQ(e.service, "");
  EXPECT_EQ(e.rewritten_destination, "");
  EXPECT_EQ(e.egress, "");
}

TEST(TraceView, AnUnreadableFrameHasNoTupleAndAnUnknownRuleSlotIsShownAsSuch) {
  trace_record r; // proto 0: no IPv4 header could be read
  r.outcome = trace_outcome::dropped;
  r.drop = drop_reason::frame_truncated;
  r.acl_rule = 9;
  const api::trace_entry e = trace_entry_view(r, lab_names());
  EXPECT_EQ(e.protocol, "");
  EXPECT_EQ(e.source, "");
  EXPECT_EQ(e.acl_rule, "slot 9");
}

TEST(TraceFormat, ForwardedPacketPrintsALinePerStage) {
  EXPECT_EQ(format_trace_entry(trace_entry_view(opening_syn(), lab_names())),
            "+0.002500s worker 1 in uplink: tcp 192.0.2.7:40000 > 10.0.0.100:80 [S]\n"
            "  flow:    opened, forward; service 10.0.0.100:80 wrr -> backend 10.0.1.11:8080 (nat)\n"
            "  acl:     allowed by edge/allow-web\n"
            "  rewrite: tcp 192.0.2.7:40000 > 10.0.1.11:8080\n"
            "  egress:  downlink, next hop 10.0.1.11\n");
}

TEST(TraceFormat, ReplyShowsItsReverseRewrite) {
  trace_record r = opening_syn();
  r.before = {ip("10.0.1.11"), ip("192.0.2.7"), port(8080), port(40000), IPPROTO_TCP};
  r.tcp_flags = 0x12;
  r.flow = trace_flow::hit;
  r.reply = true;
  r.acl = trace_acl::not_judged;
  r.acl_rule = k_trace_no_rule;
  r.in_iface = 1;
  r.out_iface = 0;
  r.after = {ip("10.0.0.100"), ip("192.0.2.7"), port(80), port(40000), IPPROTO_TCP};
  r.next_hop = ip("10.0.0.1");
  r.handed_in = true;
  EXPECT_EQ(format_trace_entry(trace_entry_view(r, lab_names())),
            "+0.002500s worker 1 in downlink (handed over): tcp 10.0.1.11:8080 > 192.0.2.7:40000 [SA]\n"
            "  flow:    hit, reply; service 10.0.0.100:80 wrr -> backend 10.0.1.11:8080 (nat)\n"
            "  rewrite: tcp 10.0.0.100:80 > 192.0.2.7:40000\n"
            "  egress:  uplink, next hop 10.0.0.1\n");
}

TEST(TraceFormat, LocalDeliveryHandOffAndDropEachSayWhatBecameOfThePacket) {
  trace_record echo;
  echo.before = {ip("192.0.2.7"), ip("10.0.0.2"), 0, 0, IPPROTO_ICMP};
  echo.local = true;
  echo.outcome = trace_outcome::forwarded;
  echo.after = {ip("10.0.0.2"), ip("192.0.2.7"), 0, 0, IPPROTO_ICMP};
  EXPECT_EQ(format_trace_entry(trace_entry_view(echo, lab_names())),
            "+0.000000s worker 0 in uplink: icmp 192.0.2.7 > 10.0.0.2\n"
            "  local:   delivered to the gateway itself\n"
            "  rewrite: icmp 10.0.0.2 > 192.0.2.7\n"
            "  egress:  uplink\n");
  trace_record handoff = opening_syn();
  handoff.flow = trace_flow::none;
  handoff.acl = trace_acl::not_judged;
  handoff.outcome = trace_outcome::handed_off;
  handoff.handoff_to = 0;
  EXPECT_EQ(format_trace_entry(trace_entry_view(handoff, lab_names())),
            "+0.002500s worker 1 in uplink: tcp 192.0.2.7:40000 > 10.0.0.100:80 [S]\n"
            "  handoff: to worker 0, which owns its flow\n");
}

TEST(TraceFormat, SummaryCountsDropsByReason) {
  std::vector<api::trace_entry> shown(3);
  shown[0].outcome = "dropped";
  shown[0].drop = "ip_bad_checksum";
  shown[1].outcome = "dropped";
  shown[1].drop = "ip_bad_checksum";
  shown[2].outcome = "dropped";
  shown[2].drop = "l4_truncated";
  EXPECT_EQ(format_trace_summary(shown, 2),
            "3 packets traced, 2 lost (a worker's trace ring was full)\n"
            "drops by reason:\n"
            "  ip_bad_checksum              2\n"
            "  l4_truncated                 1\n");
  EXPECT_EQ(format_trace_summary({}, 0), "0 packets traced\n");
}

TEST(TraceRequest, BadFilterFieldsAreRefusedByName) {
  const auto r = trace_filter_from({.vip = "10.0.0.100", .client = "192.0.2.0/33",
                                    .backend = "10.0.1.11:8080"});
  const auto* problems = std::get_if<std::vector<std::string>>(&r);
  ASSERT_NE(problems, nullptr);
  ASSERT_EQ(problems->size(), 2u);
  EXPECT_EQ((*problems)[0].rfind("vip: ", 0), 0u);
  EXPECT_EQ((*problems)[1].rfind("client: ", 0), 0u);
}

TEST(TraceRequest, FiltersAreParsedIntoTheWorkersForm) {
  const auto r = trace_filter_from({.vip = "10.0.0.100:80", .client = "192.0.2.0/24",
                                    .backend = "10.0.1.11:8080", .drops = true});
  const auto* f = std::get_if<trace_filter>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->by_vip && f->by_client && f->by_backend && f->drops_only);
  EXPECT_EQ(f->vip, ip("10.0.0.100"));
  EXPECT_EQ(f->vip_port, port(80));
  EXPECT_EQ(f->client, ip("192.0.2.0"));
  EXPECT_EQ(f->client_len, 24);
  EXPECT_EQ(f->backend_port, port(8080));
}

} // namespace
} // namespace sluice
