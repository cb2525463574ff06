// Golden packets for a DR or TUN any-port service removed by a reload without a flush: its
// established connection drains to the same backend, forwarded as its mode forwards (DR: the
// client's packet, one hop older, in a frame to the backend's MAC; TUN: that packet in IPIP),
// while new connections to its VIP are refused. Rows run in order, on one worker or on the
// connection's owner of two.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/golden/direct_lab.hpp"

namespace sluice::testing {
namespace {

// How `mode` ("dr" or "tun") sends be2 the client's packet `at_be2` (built as be2 receives it in
// DR, in a frame from the downlink): DR sends that frame, TUN its packet in IPIP from the
// downlink's address. Outer IDs count up with each packet encapsulated by `worker` of `workers`:
// worker, worker + workers, ...
class be2_link {
public:
  explicit be2_link(std::string mode, unsigned worker = 0, unsigned workers = 1)
      : mode_(std::move(mode)), next_id_(uint16_t(worker)), step_(uint16_t(workers)) {}

  bytes carrying(const packet_builder& at_be2) {
    if (mode_ == "dr") return at_be2.build();
    const uint16_t id = next_id_;
    next_id_ = uint16_t(next_id_ + step_);
    return ipip_frame(dataplane_harness::mac_text(k_downlink), k_be2, "10.0.1.2", "10.0.1.12", id,
                      at_be2.build());
  }

private:
  std::string mode_;
  uint16_t next_id_;
  uint16_t step_;
};

packet_builder client_to_any(const std::string& c) {
  return from_client().ipv4(c.c_str(), "10.0.0.101").df();
}
packet_builder at_be2(const std::string& c) {
  return to_backend(k_be2).ipv4(c.c_str(), "10.0.0.101", 63).df();
}

// The connection c:40000 -> 10.0.0.101:2222, which the any-port service gives be2; every row
// arrives on `queue`.
std::vector<fixture> opening_rows(be2_link& be2, const std::string& c, unsigned queue) {
  std::vector<fixture> rows = {
      {"a syn to a port of the any-port vip goes to be2", k_uplink,
       client_to_any(c).tcp(40000, 2222, SYN).build(),
       {{k_downlink, be2.carrying(at_be2(c).tcp(40000, 2222, SYN))}}, {}},
      {"the client's ack establishes the connection", k_uplink,
       client_to_any(c).tcp(40000, 2222, ACK, 1001, 10).build(),
       {{k_downlink, be2.carrying(at_be2(c).tcp(40000, 2222, ACK, 1001, 10))}}, {}},
  };
  for (fixture& f : rows) f.queue = queue;
  return rows;
}

// The connection of opening_rows() once its service is gone; new SYNs are dropped as `refused`.
// Rows arrive on `queue`; with `elsewhere`, one more client ACK arrives on that queue.
std::vector<fixture> draining_rows(be2_link& be2, const std::string& c, drop_reason refused,
                                   unsigned queue, std::optional<unsigned> elsewhere) {
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  const bytes ttl_one =
      from_client().ipv4(c.c_str(), "10.0.0.101", 1).df().tcp(40000, 2222, ACK, 1019, 10).build();
  // Rows made in sending order: be2_link numbers the TUN outer IDs as it goes.
  std::vector<fixture> rows = {
      {"client data on the established connection still goes to be2", k_uplink,
       client_to_any(c).tcp(40000, 2222, PSH | ACK, 1001, 10).payload(get).build(),
       {{k_downlink, be2.carrying(at_be2(c).tcp(40000, 2222, PSH | ACK, 1001, 10).payload(get))}}, {}},
      {"a ttl 1 segment of the connection gets time exceeded, as while the service lived", k_uplink,
       ttl_one,
       {{k_uplink, time_exceeded_frame(dataplane_harness::mac_text(k_uplink), k_client, "10.0.0.2", ttl_one)}},
       drop_reason::ip_ttl_exceeded},
      {"a new syn from another client to the same port is refused", k_uplink,
       client_to_any("10.0.0.7").tcp(40100, 2222, SYN).build(), {}, refused},
      {"a new syn from the same client to another port is refused", k_uplink,
       client_to_any(c).tcp(40001, 8443, SYN).build(), {}, refused},
  };
  for (fixture& f : rows) f.queue = queue;
  if (elsewhere)
    rows.push_back({"a client ack arriving on another worker's queue still goes to be2", k_uplink,
                    client_to_any(c).tcp(40000, 2222, ACK, 1019, 10).build(),
                    {{k_downlink, be2.carrying(at_be2(c).tcp(40000, 2222, ACK, 1019, 10))}}, {},
                    *elsewhere});
  rows.push_back({"the client's fin still goes to be2", k_uplink,
                  client_to_any(c).tcp(40000, 2222, FIN | ACK, 1019, 10).build(),
                  {{k_downlink, be2.carrying(at_be2(c).tcp(40000, 2222, FIN | ACK, 1019, 10))}}, {},
                  queue});
  return rows;
}

// Opens the connection on `mode`'s any-port service, removes the service, and checks the drain:
// with the VIP gone a new SYN is transit traffic not ours (no_flow); with the VIP kept by a
// service on another port it reaches a VIP port without a service (no_service).
//
// With two workers the client is owned by the worker that does not own the VIP's address and
// sends on its owner's queue, but for one packet on the other worker's: whichever worker steering
// takes its packets to (the VIP's address is not ours once the VIP is gone), they must reach the
// flow on its owner.
void check_drain_after_removing_the_any_port_service(const std::string& mode, unsigned workers) {
  const std::string lab = direct_config_yaml(mode);
  const std::string ssh = "  - { name: ssh, address: 10.0.0.101, port: 22, protocol: tcp, forwarding: " +
                          mode + ",\n      backends: [{ address: 10.0.1.11 }] }\n";
  const struct {
    const char* name;
    std::string yaml;
    drop_reason new_syn;
  } removals[] = {
      {"vip gone", without_service(lab, "any"), drop_reason::no_flow},
      {"vip kept by a service on port 22", without_service(lab, "any") + ssh, drop_reason::no_service},
  };
  const unsigned owner = workers == 1 ? 0 : 1 - flow_owner(ip("10.0.0.101"), 2);
  const std::string c = workers == 1 ? "10.0.0.1" : client_owned_by(owner);
  for (const auto& r : removals) {
    SCOPED_TRACE(r.name);
    dataplane_harness h(lab, workers);
    be2_link be2(mode, owner, workers);
    run_fixtures(h, opening_rows(be2, c, owner));
    h.reconfigure(r.yaml);
    std::optional<unsigned> elsewhere;
    if (workers == 2) elsewhere = 1 - owner;
    run_fixtures(h, draining_rows(be2, c, r.new_syn, owner, elsewhere));
    for (unsigned w = 0; w < workers; ++w)
      EXPECT_EQ(h.dataplane(w).flows().size(), w == owner ? 1u : 0u)
          << "the closing connection on its owner, nothing new";
  }
}

TEST(RemovedDirectServiceGolden, DrFlowsOfARemovedAnyPortServiceDrainWithOnlyTheMacRewritten) {
  check_drain_after_removing_the_any_port_service("dr", 1);
}

TEST(RemovedDirectServiceGolden, TunFlowsOfARemovedAnyPortServiceDrainInTheirTunnel) {
  check_drain_after_removing_the_any_port_service("tun", 1);
}

TEST(RemovedDirectServiceGolden, DrFlowsOfARemovedAnyPortServiceDrainOnTheirOwnerOfTwoWorkers) {
  check_drain_after_removing_the_any_port_service("dr", 2);
}

TEST(RemovedDirectServiceGolden, TunFlowsOfARemovedAnyPortServiceDrainOnTheirOwnerOfTwoWorkers) {
  check_drain_after_removing_the_any_port_service("tun", 2);
}

} // namespace
} // namespace sluice::testing
