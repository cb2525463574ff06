// Session affinity (persistence_timeout): a client keeps its backend across connections while
// its template lives, on every worker, and is released when the backend leaves or drains.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dataplane/worker/handoff.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

std::string sticky_config(const std::string& backends, unsigned timeout = 300) {
  std::string c = config_yaml();
  c += "  - { name: sticky, address: 10.0.0.100, port: 443, persistence_timeout: " +
       std::to_string(timeout) + ",\n      backends: [" + backends + "] }\n";
  return c;
}
const std::string k_two = "{ address: 10.0.1.11, port: 443 }, { address: 10.0.1.12, port: 443 }";

// The backend address a SYN from client:port to the sticky service reached ("" if none).
std::string backend_for(dataplane_harness& h, const char* client, uint16_t port, unsigned queue = 0) {
  const auto out =
      h.send(k_uplink, from_client().ipv4(client, "10.0.0.100").tcp(port, 443, SYN).build(), queue);
  if (out.size() != 1 || out[0].iface != k_downlink) return "";
  const bytes& f = out[0].frame;
  return std::to_string(f[k_ip + 16]) + "." + std::to_string(f[k_ip + 17]) + "." +
         std::to_string(f[k_ip + 18]) + "." + std::to_string(f[k_ip + 19]);
}

TEST(Affinity, EveryConnectionOfAClientReachesTheSameBackend) {
  dataplane_harness h(sticky_config(k_two));
  const std::string first = backend_for(h, "192.168.1.1", 1000);
  ASSERT_FALSE(first.empty());
  for (uint16_t port = 1001; port < 1020; ++port) EXPECT_EQ(backend_for(h, "192.168.1.1", port), first);
}

TEST(Affinity, OtherClientsAreStillScheduled) {
  dataplane_harness h(sticky_config(k_two));
  std::set<std::string> seen;
  for (unsigned i = 1; i <= 10; ++i)
    seen.insert(backend_for(h, ("192.168.2." + std::to_string(i)).c_str(), 2000));
  EXPECT_EQ(seen, (std::set<std::string>{"10.0.1.11", "10.0.1.12"})) << "rr across clients";
}

TEST(Affinity, HoldsWhicheverWorkerTheConnectionArrivesOn) {
  dataplane_harness h(sticky_config(k_two), 2);
  const std::string first = backend_for(h, "192.168.3.1", 3000, 0);
  ASSERT_FALSE(first.empty());
  for (uint16_t port = 3001; port < 3010; ++port)
    EXPECT_EQ(backend_for(h, "192.168.3.1", port, port % 2), first) << "arrived on queue " << port % 2;
}

TEST(Affinity, RemovedBackendReleasesItsClients) {
  dataplane_harness h(sticky_config(k_two));
  const std::string first = backend_for(h, "192.168.4.1", 4000);
  const std::string other = first == "10.0.1.11" ? "10.0.1.12" : "10.0.1.11";
  h.reconfigure(sticky_config("{ address: " + other + ", port: 443 }"));
  EXPECT_EQ(backend_for(h, "192.168.4.1", 4001), other);
}

TEST(Affinity, DrainingBackendTakesNoNewConnectionsFromItsClients) {
  dataplane_harness h(sticky_config(k_two));
  const std::string first = backend_for(h, "192.168.5.1", 5000);
  const std::string other = first == "10.0.1.11" ? "10.0.1.12" : "10.0.1.11";
  h.reconfigure(sticky_config("{ address: " + first + ", port: 443, weight: 0 }, { address: " +
                              other + ", port: 443 }"));
  EXPECT_EQ(backend_for(h, "192.168.5.1", 5001), other);
}

TEST(Affinity, TemplateExpiresAfterTheTimeout) {
  dataplane_harness h(sticky_config(k_two, 1));
  const std::string first = backend_for(h, "192.168.6.1", 6000);
  // rr has moved on since the first pick, so a client without a template lands elsewhere.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NE(backend_for(h, "192.168.6.1", 6001), first);
}

} // namespace
} // namespace sluice::testing
