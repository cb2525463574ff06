// Two workers, each polling its own queue of both ports: the request and the reply of a flow
// arrive on different workers (as RSS or af_packet fanout deliver them), yet every packet is
// translated by the worker that owns the flow.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "dataplane/worker/handoff.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

TEST(Handoff, OwnershipSpreadsClientsOverWorkers) {
  unsigned per_worker[4] = {};
  for (unsigned i = 0; i < 4000; ++i) ++per_worker[flow_owner(htonl(0x0a000000u + i * 7919), 4)];
  for (unsigned n : per_worker) EXPECT_NEAR(n, 1000, 150);
}

TEST(Handoff, RepliesArrivingOnTheOtherWorkerAreTranslatedByTheOwner) {
  dataplane_harness h(config_yaml(), 2);
  constexpr unsigned k_clients = 40;
  for (unsigned i = 0; i < k_clients; ++i) {
    const std::string c = client_ip(i);
    SCOPED_TRACE(c);
    // Requests always arrive on queue 0, replies always on queue 1.
    const auto fwd = h.send(k_uplink, from_client().ipv4(c.c_str(), "10.0.0.100").tcp(40000, 80, SYN).build(), 0);
    ASSERT_EQ(fwd.size(), 1u);
    ASSERT_EQ(fwd[0].iface, k_downlink);
    const bool be1 = fwd[0].frame == to_backend(k_be1).ipv4(c.c_str(), "10.0.1.11", 63).tcp(40000, 8080, SYN).build();
    const bool be2 = fwd[0].frame == to_backend(k_be2).ipv4(c.c_str(), "10.0.1.12", 63).tcp(40000, 8080, SYN).build();
    ASSERT_TRUE(be1 || be2);
    const char* backend = be1 ? "10.0.1.11" : "10.0.1.12";
    const auto rev = h.send(k_downlink, from_backend(be1 ? k_be1 : k_be2).ipv4(backend, c.c_str()).tcp(8080, 40000, SYN | ACK, 7, 1001).build(), 1);
    const std::vector<sent_frame> want = {
        {k_uplink, to_client().ipv4("10.0.0.100", c.c_str(), 63).tcp(80, 40000, SYN | ACK, 7, 1001).build()}};
    EXPECT_EQ(rev, want);
  }
  // Each flow lives only in its owner's table, and both workers handed packets over.
  EXPECT_EQ(h.dataplane(0).flows().size() + h.dataplane(1).flows().size(), k_clients);
  EXPECT_GT(h.dataplane(0).flows().size(), 0u);
  EXPECT_GT(h.dataplane(1).flows().size(), 0u);
  EXPECT_GT(h.stats(0).worker.handoff_out.get(), 0u);
  EXPECT_GT(h.stats(1).worker.handoff_out.get(), 0u);
  EXPECT_EQ(h.stats(0).worker.handoff_out.get(), h.stats(1).worker.handoff_in.get());
  EXPECT_EQ(h.stats(1).worker.handoff_out.get(), h.stats(0).worker.handoff_in.get());
  for (const auto& [reason, n] : h.drop_counts()) EXPECT_EQ(n, 0u) << reason;
}

TEST(Handoff, ANeighbourLearnedByOneWorkerReleasesAnotherWorkersQueue) {
  dataplane_harness h(config_yaml(), 2);
  const std::string c = client_owned_by(1);
  const std::string down = dataplane_harness::mac_text(k_downlink);
  // Worker 1 owns the flow; its backend 10.0.1.20 has no neighbour entry yet.
  const auto asked = h.send(k_uplink, from_client().ipv4(c.c_str(), "10.0.0.100").tcp(41000, 8443, SYN).build(), 1);
  ASSERT_EQ(asked, (std::vector<sent_frame>{{k_downlink, arp_frame(1, down, "ff:ff:ff:ff:ff:ff", down, "10.0.1.2", "", "10.0.1.20")}}));
  // The answer reaches worker 0 only.
  const auto released = h.send(k_downlink, arp_frame(2, "02:00:00:00:0b:20", down, "02:00:00:00:0b:20", "10.0.1.20", down, "10.0.1.2"), 0);
  const std::vector<sent_frame> want = {
      {k_downlink, packet_builder().eth(down, "02:00:00:00:0b:20").ipv4(c.c_str(), "10.0.1.20", 63).tcp(41000, 443, SYN).build()}};
  EXPECT_EQ(released, want);
}

} // namespace
} // namespace sluice::testing
