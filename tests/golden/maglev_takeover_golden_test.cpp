// Maglev's connection takeover (NSDI'16 §3.3) for mh services whose replies bypass the gateway
// (dr, tun): a mid-connection segment with no flow — another appliance tracked it, or this one
// restarted — goes to the backend the SYN went to, and is tracked from then on; a full flow table
// forwards such services by hash alone instead of dropping. Other services keep IPVS's rule.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

std::string maglev_config(unsigned flows = 1024) {
  return lab_yaml_head(flows) + R"(  - { name: web, address: 10.0.0.100, port: 80, forwarding: dr, scheduler: mh,
      backends: [{ address: 10.0.1.11, port: 80 }, { address: 10.0.1.12, port: 80 }] }
  - { name: natmh, address: 10.0.0.100, port: 81, scheduler: mh,
      backends: [{ address: 10.0.1.11, port: 81 }, { address: 10.0.1.12, port: 81 }] }
  - { name: drrr, address: 10.0.0.100, port: 82, forwarding: dr,
      backends: [{ address: 10.0.1.11, port: 82 }, { address: 10.0.1.12, port: 82 }] }
)";
}

bytes segment(const std::string& client, uint16_t sport, uint16_t dport, uint8_t flags) {
  return from_client().ipv4(client.c_str(), "10.0.0.100").tcp(sport, dport, flags).payload(flags == ACK ? "data" : "").build();
}

// The destination MAC of the single frame the worker sent to the downlink ("" otherwise).
std::string backend_mac(const std::vector<sent_frame>& out) {
  if (out.size() != 1 || out[0].iface != k_downlink) return "";
  char text[18];
  const bytes& f = out[0].frame;
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", f[0], f[1], f[2], f[3], f[4], f[5]);
  return text;
}

std::string client(unsigned i) { return "192.168." + std::to_string(10 + i / 200) + "." + std::to_string(1 + i % 200); }

TEST(MaglevTakeover, AMidConnectionSegmentReachesTheBackendTheSynReached) {
  std::map<unsigned, std::string> first;
  {
    dataplane_harness a(maglev_config()); // the appliance that saw the SYNs
    for (unsigned i = 0; i < 40; ++i) first[i] = backend_mac(a.send(k_uplink, segment(client(i), 4000, 80, SYN)));
  }
  std::set<std::string> used;
  for (const auto& [i, mac] : first) used.insert(mac);
  ASSERT_EQ(used, (std::set<std::string>{k_be1, k_be2})) << "the 40 SYNs spread over both backends";

  dataplane_harness b(maglev_config()); // another appliance with the same backends, no flows
  for (unsigned i = 0; i < 40; ++i)
    EXPECT_EQ(backend_mac(b.send(k_uplink, segment(client(i), 4000, 80, ACK))), first[i]) << client(i);
  EXPECT_EQ(b.stats().worker.flows_adopted.get(), 40u);
  EXPECT_EQ(b.drops(drop_reason::tcp_not_syn), 0u);
  const flow_request_result tracked = b.ask(flow_command::op::sample, {});
  ASSERT_EQ(tracked.matched, 40u);
  for (const worker_flow& f : tracked.flows) EXPECT_EQ(f.sample.record.state, flow_state::tcp_established);
  // Tracked from now on: the next segment finds the flow.
  EXPECT_EQ(backend_mac(b.send(k_uplink, segment(client(0), 4000, 80, ACK))), first[0]);
  EXPECT_EQ(b.stats().worker.flows_adopted.get(), 40u);
}

TEST(MaglevTakeover, OtherServicesStillDropSegmentsWithoutAFlow) {
  dataplane_harness h(maglev_config());
  EXPECT_TRUE(h.send(k_uplink, segment(client(1), 4001, 81, ACK)).empty()) << "nat: replies need state";
  EXPECT_TRUE(h.send(k_uplink, segment(client(1), 4001, 82, ACK)).empty()) << "rr: no consistent choice";
  EXPECT_EQ(h.drops(drop_reason::tcp_not_syn), 2u);
  EXPECT_EQ(h.stats().worker.flows_adopted.get(), 0u);
}

TEST(MaglevTakeover, AFullTableForwardsMaglevDrFlowsByHashAndDropsTheRest) {
  dataplane_harness h(maglev_config(1024));
  // Established flows fill the table (half-open ones would be evicted at dataplane.max_half_open).
  for (unsigned i = 0; i < 1024; ++i) {
    ASSERT_FALSE(backend_mac(h.send(k_uplink, segment(client(i), 5000, 80, SYN))).empty()) << i;
    ASSERT_FALSE(backend_mac(h.send(k_uplink, segment(client(i), 5000, 80, ACK))).empty()) << i;
  }
  ASSERT_EQ(h.stats().worker.flows_active.get(), 1024u);
  ASSERT_EQ(h.stats().worker.half_open_flows.get(), 0u);
  // The table is full: established flows stay, new mh dr flows pass untracked, others drop.
  EXPECT_FALSE(backend_mac(h.send(k_uplink, segment(client(1500), 5000, 80, SYN))).empty());
  EXPECT_FALSE(backend_mac(h.send(k_uplink, segment(client(1500), 5000, 80, ACK))).empty());
  EXPECT_EQ(h.stats().worker.untracked_packets.get(), 2u);
  EXPECT_TRUE(h.send(k_uplink, segment(client(1501), 5000, 82, SYN)).empty());
  EXPECT_EQ(h.drops(drop_reason::flow_table_full), 1u);
  EXPECT_FALSE(backend_mac(h.send(k_uplink, segment(client(7), 5000, 80, ACK))).empty())
      << "an established flow is never evicted";
  EXPECT_EQ(h.stats().worker.flows_active.get(), 1024u);
}

} // namespace
} // namespace sluice::testing
