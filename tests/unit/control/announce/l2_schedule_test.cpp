// The gratuitous ARP schedule (announce.l2): what is announced, how often, and when.

#include <gtest/gtest.h>

#include "control/announce/l2_schedule.hpp"
#include "control/config/load.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

using namespace std::chrono_literals;

const std::string k_head = R"(interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }, { name: down, device: e, address: 10.0.1.2/24 }]
announce: { l2: { garp_count: 3, garp_interval_ms: 1000 } }
services:
  - { name: web, address: 10.0.0.100, port: 80, backends: [{ address: 10.0.1.11 }] }
  - { name: dns, address: 10.0.0.100, port: 53, protocol: udp, backends: [{ address: 10.0.1.11 }] }
  - { name: far, address: 192.168.9.9, port: 80, backends: [{ address: 10.0.1.11 }] }
)";
const port_info k_ports[] = {{.port_id = 0, .mac = {}}, {.port_id = 1, .mac = {}}};

const auto t0 = l2_schedule::clock::time_point{} + std::chrono::seconds(10);

// A config compiled into snapshots as the control plane would, and the schedule it feeds.
struct lab {
  slot_registries slots{slot_registry(64), slot_registry(64)};
  uint64_t generation = 1;
  config cfg;
  std::unique_ptr<snapshot> snap;
  l2_schedule s;
  // Loads and publishes `yaml` at `now`; returns what the schedule starts announcing.
  std::vector<l2_schedule::target> publish(const std::string& yaml, l2_schedule::clock::time_point now) {
    load_result r = parse_config(yaml, "t.yaml");
    if (!r.cfg) throw std::runtime_error(r.errors.at(0).to_string());
    cfg = std::move(*r.cfg);
    snap = compile_snapshot(cfg, k_ports, slots, generation++);
    return s.on_published(*snap, cfg.announce.l2, now);
  }
};

std::multiset<std::string> named(const std::vector<garp_request>& due) {
  std::multiset<std::string> out;
  for (const garp_request& g : due) out.insert(format_ipv4(g.addr) + "@" + std::to_string(g.iface));
  return out;
}

TEST(L2Schedule, AtStartEveryInterfaceAddressAndOnLinkVipIsAnnouncedOnItsLink) {
  lab l;
  EXPECT_EQ(l.publish(k_head, t0).size(), 3u);
  // The VIP of two services once; 192.168.9.9 is on no link, so nobody answers ARP for it.
  EXPECT_EQ(named(l.s.take_due(t0)),
            (std::multiset<std::string>{"10.0.0.2@0", "10.0.1.2@1", "10.0.0.100@0"}));
}

TEST(L2Schedule, EachAnnouncementRepeatsGarpCountTimesIntervalApart) {
  lab l;
  l.publish(k_head, t0);
  EXPECT_EQ(l.s.take_due(t0).size(), 3u);
  EXPECT_TRUE(l.s.take_due(t0 + 999ms).empty());
  EXPECT_EQ(l.s.take_due(t0 + 1000ms).size(), 3u);
  EXPECT_EQ(l.s.take_due(t0 + 2000ms).size(), 3u);
  EXPECT_TRUE(l.s.take_due(t0 + 60s).empty()) << "garp_count is 3";
  EXPECT_EQ(l.s.pending(), 0u);
}

const std::string k_added =
    "  - { name: new, address: 10.0.0.101, port: 80, backends: [{ address: 10.0.1.12 }] }\n";

TEST(L2Schedule, OnlyAnAddedVipIsAnnouncedAfterAChange) {
  lab l;
  l.publish(k_head, t0);
  for (int i = 0; i < 3; ++i) l.s.take_due(t0 + i * 1s);
  l.publish(k_head + k_added, t0 + 10s);
  EXPECT_EQ(named(l.s.take_due(t0 + 10s)), (std::multiset<std::string>{"10.0.0.101@0"}));
}

TEST(L2Schedule, ARemovedVipStopsBeingAnnounced) {
  lab l;
  l.publish(k_head + k_added, t0);
  EXPECT_EQ(l.s.take_due(t0).size(), 4u);
  l.publish(k_head, t0 + 100ms);
  EXPECT_EQ(named(l.s.take_due(t0 + 1s)),
            (std::multiset<std::string>{"10.0.0.2@0", "10.0.1.2@1", "10.0.0.100@0"}));
}

TEST(L2Schedule, WithoutAnnounceL2NothingIsSentAndEnablingItLaterAnnouncesEverything) {
  lab l;
  std::string off = k_head;
  off.erase(off.find("announce:"), off.find("services:") - off.find("announce:"));
  EXPECT_TRUE(l.publish(off, t0).empty());
  EXPECT_TRUE(l.s.take_due(t0).empty());
  l.publish(k_head, t0 + 1s);
  EXPECT_EQ(l.s.take_due(t0 + 1s).size(), 3u);
}

} // namespace
} // namespace sluice
