// Golden packets for the L2 announcement: the gratuitous ARP worker 0 sends when the control
// plane asks (exact bytes: RFC 5227 announcement, broadcast, from the interface's MAC), with or
// without an exception path; and ARP answered only for VIPs the appliance serves.

#include <gtest/gtest.h>
#include <unistd.h>

#include "dataplane/net/ipv4.hpp"
#include "tests/golden/harness.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

// Queues the requests and polls (the worker serves the ring on its 50 us housekeeping clock)
// until `want` frames came out or a second passed.
std::vector<sent_frame> announce(dataplane_harness& h, const std::vector<garp_request>& reqs,
                                 std::size_t want) {
  for (garp_request g : reqs)
    if (rte_ring_sp_enqueue_elem(h.commands().garps(), &g, sizeof g) != 0)
      throw std::runtime_error("garp ring full");
  std::vector<sent_frame> out;
  for (int i = 0; i < 10000 && out.size() < want; ++i) {
    std::vector<sent_frame> more = h.poll();
    out.insert(out.end(), more.begin(), more.end());
    if (out.size() < want) usleep(100);
  }
  return out;
}

bytes garp(uint16_t iface, const char* addr) {
  const std::string mac = dataplane_harness::mac_text(iface);
  return arp_frame(1, mac, "ff:ff:ff:ff:ff:ff", mac, addr, "", addr);
}

TEST(L2AnnounceGolden, WorkerZeroSendsEachRequestedGratuitousArpOnItsInterface) {
  dataplane_harness h(config_yaml());
  const auto out = announce(h, {{.addr = parse_ipv4("10.0.0.100").value(), .iface = k_uplink},
                                {.addr = parse_ipv4("10.0.1.2").value(), .iface = k_downlink}},
                            2);
  EXPECT_EQ(out, (std::vector<sent_frame>{{k_uplink, garp(k_uplink, "10.0.0.100")},
                                          {k_downlink, garp(k_downlink, "10.0.1.2")}}));
  EXPECT_EQ(h.stats().worker.garps_sent.get(), 2u);
}

TEST(L2AnnounceGolden, WithTwoWorkersOnlyWorkerZeroSendsIt) {
  dataplane_harness h(config_yaml(), 2);
  const auto out =
      announce(h, {{.addr = parse_ipv4("10.0.0.100").value(), .iface = k_uplink}}, 1);
  EXPECT_EQ(out, (std::vector<sent_frame>{{k_uplink, garp(k_uplink, "10.0.0.100")}}));
  EXPECT_EQ(h.stats(0).worker.garps_sent.get(), 1u);
  EXPECT_EQ(h.stats(1).worker.garps_sent.get(), 0u);
}

TEST(L2AnnounceGolden, ArpIsAnsweredOnlyForVipsTheApplianceServes) {
  dataplane_harness h(config_yaml());
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const bytes who_has_101 =
      arp_frame(1, k_client, "ff:ff:ff:ff:ff:ff", k_client, "10.0.0.1", "", "10.0.0.101");
  run_fixtures(h, {{"arp for an address of no service is not answered", k_uplink, who_has_101, {},
                    drop_reason::arp_not_for_us}});
  h.reconfigure(config_yaml() + "  - { name: new, address: 10.0.0.101, port: 80, "
                                "backends: [{ address: 10.0.1.11, port: 8080 }] }\n");
  run_fixtures(h, {{"arp for a vip added by a reload is answered", k_uplink, who_has_101,
                    {{k_uplink, arp_frame(2, up, k_client, up, "10.0.0.101", k_client, "10.0.0.1")}},
                    {}}});
  h.reconfigure(config_yaml());
  run_fixtures(h, {{"arp for a vip whose service was removed is no longer answered", k_uplink,
                    who_has_101, {}, drop_reason::arp_not_for_us}});
}

} // namespace
} // namespace sluice::testing
