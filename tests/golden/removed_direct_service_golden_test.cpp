// Golden packets for a DR or TUN any-port service removed by a reload without a flush: its
// established connection drains to the same backend, forwarded as its mode forwards (DR: the
// client's packet, one hop older, in a frame to the backend's MAC; TUN: that packet in IPIP),
// while new connections to its VIP are refused. Rows run in order on one worker.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/golden/direct_lab.hpp"

namespace sluice::testing {
namespace {

// How `mode` ("dr" or "tun") sends be2 the client's packet `at_be2` (built as be2 receives it in
// DR, in a frame from the downlink): DR sends that frame, TUN its packet in IPIP from the
// downlink's address, outer IDs counting up from 0 with each packet encapsulated.
class be2_link {
public:
  explicit be2_link(std::string mode) : mode_(std::move(mode)) {}

  bytes carrying(const packet_builder& at_be2) {
    if (mode_ == "dr") return at_be2.build();
    return ipip_frame(dataplane_harness::mac_text(k_downlink), k_be2, "10.0.1.2", "10.0.1.12",
                      next_id_++, at_be2.build());
  }

private:
  std::string mode_;
  uint16_t next_id_ = 0;
};

packet_builder client_to_any(const char* client = "10.0.0.1") {
  return from_client().ipv4(client, "10.0.0.101").df();
}
packet_builder at_be2() { return to_backend(k_be2).ipv4("10.0.0.1", "10.0.0.101", 63).df(); }

// The connection 10.0.0.1:40000 -> 10.0.0.101:2222, which the any-port service gives be2.
std::vector<fixture> opening_rows(be2_link& be2) {
  return {
      {"a syn to a port of the any-port vip goes to be2", k_uplink,
       client_to_any().tcp(40000, 2222, SYN).build(),
       {{k_downlink, be2.carrying(at_be2().tcp(40000, 2222, SYN))}}, {}},
      {"the client's ack establishes the connection", k_uplink,
       client_to_any().tcp(40000, 2222, ACK, 1001, 10).build(),
       {{k_downlink, be2.carrying(at_be2().tcp(40000, 2222, ACK, 1001, 10))}}, {}},
  };
}

// The connection of opening_rows() once its service is gone; new SYNs are dropped as `refused`.
std::vector<fixture> draining_rows(be2_link& be2, drop_reason refused) {
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  return {
      {"client data on the established connection still goes to be2", k_uplink,
       client_to_any().tcp(40000, 2222, PSH | ACK, 1001, 10).payload(get).build(),
       {{k_downlink, be2.carrying(at_be2().tcp(40000, 2222, PSH | ACK, 1001, 10).payload(get))}}, {}},
      {"a new syn from another client to the same port is refused", k_uplink,
       client_to_any("10.0.0.7").tcp(40100, 2222, SYN).build(), {}, refused},
      {"a new syn from the same client to another port is refused", k_uplink,
       client_to_any().tcp(40001, 8443, SYN).build(), {}, refused},
      {"the client's fin still goes to be2", k_uplink,
       client_to_any().tcp(40000, 2222, FIN | ACK, 1019, 10).build(),
       {{k_downlink, be2.carrying(at_be2().tcp(40000, 2222, FIN | ACK, 1019, 10))}}, {}},
  };
}

// Opens the connection on `mode`'s any-port service, removes the service, and checks the drain:
// with the VIP gone a new SYN is transit traffic not ours (no_flow); with the VIP kept by a
// service on another port it reaches a VIP port without a service (no_service).
void check_drain_after_removing_the_any_port_service(const std::string& mode) {
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
  for (const auto& r : removals) {
    SCOPED_TRACE(r.name);
    dataplane_harness h(lab);
    be2_link be2(mode);
    run_fixtures(h, opening_rows(be2));
    h.reconfigure(r.yaml);
    run_fixtures(h, draining_rows(be2, r.new_syn));
    EXPECT_EQ(h.dataplane().flows().size(), 1u) << "the closing connection, nothing new";
  }
}

TEST(RemovedDirectServiceGolden, DrFlowsOfARemovedAnyPortServiceDrainWithOnlyTheMacRewritten) {
  check_drain_after_removing_the_any_port_service("dr");
}

TEST(RemovedDirectServiceGolden, TunFlowsOfARemovedAnyPortServiceDrainInTheirTunnel) {
  check_drain_after_removing_the_any_port_service("tun");
}

} // namespace
} // namespace sluice::testing
