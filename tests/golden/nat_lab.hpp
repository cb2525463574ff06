#pragma once
// The NAT lab the golden tests share: a client on the uplink, two backends with static
// neighbour entries on the downlink, and services covering rr, UDP, draining and ARP
// resolution. Builders for frames in each direction with the right MACs.

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataplane/worker/handoff.hpp"
#include "tests/golden/harness.hpp"

namespace sluice::testing {

inline const std::string k_client = "02:00:00:00:0c:01";
inline const std::string k_be1 = "02:00:00:00:0b:01";
inline const std::string k_be2 = "02:00:00:00:0b:02";
inline const std::string k_stranger = "02:00:00:00:0e:0e";

// The lab's dataplane and interfaces sections, ending with "services:" for the caller's list.
// `extra_neighbours` adds static entries on the downlink (e.g. a third backend).
inline std::string lab_yaml_head(unsigned flows = 1024, const std::string& extra_neighbours = "") {
  return R"(
dataplane: { workers: 1, flows_per_worker: )" + std::to_string(flows) + R"(, max_services: 64, max_backends: 256 }
interfaces:
  - name: uplink
    device: golden_up
    address: 10.0.0.2/24
    gateway: 10.0.0.1   # the client's router too: clients off 10.0.0.0/24 are reached through it
    neighbors: [{ address: 10.0.0.1, mac: ")" + k_client + R"(" }]
  - name: downlink
    device: golden_down
    address: 10.0.1.2/24
    neighbors:
      - { address: 10.0.1.11, mac: ")" + k_be1 + R"(" }
      - { address: 10.0.1.12, mac: ")" + k_be2 + R"(" }
)" + extra_neighbours + "services:\n";
}

// `yaml` (a lab_yaml_head() config) with the dataplane key `key` set to `value`.
inline std::string with_dataplane_key(std::string yaml, const std::string& key,
                                      const std::string& value) {
  const std::string at = "max_services: 64";
  const std::size_t where = yaml.find(at);
  if (where == std::string::npos) throw std::runtime_error("not a lab config");
  return yaml.insert(where, key + ": " + value + ", ");
}

// A lab config whose table may be filled by SYNs alone: every flow may stay half-open
// (dataplane.max_half_open as large as the table, which is the default's point to prevent).
inline std::string without_half_open_limit(const std::string& yaml, unsigned flows) {
  return with_dataplane_key(yaml, "max_half_open", std::to_string(flows));
}

inline std::string config_yaml() {
  return lab_yaml_head() + R"(  - { name: web, address: 10.0.0.100, port: 80, protocol: tcp,
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: echo, address: 10.0.0.100, port: 53, protocol: udp,
      backends: [{ address: 10.0.1.11, port: 5353 }] }
  - { name: drained, address: 10.0.0.100, port: 82,
      backends: [{ address: 10.0.1.11, port: 82, weight: 0 }] }
  - { name: unresolved, address: 10.0.0.100, port: 8443,
      backends: [{ address: 10.0.1.20, port: 443 }] }
)";
}

// `yaml` without the service entry `name` (the lab's entries end with " }\n"), as a reload that
// removes it without a flush would publish it.
inline std::string without_service(std::string yaml, const std::string& name) {
  const std::size_t start = yaml.find("  - { name: " + name + ",");
  if (start == std::string::npos) throw std::runtime_error("no service " + name);
  const std::size_t end = yaml.find(" }\n", start) + 3;
  return yaml.erase(start, end - start);
}

inline constexpr uint8_t SYN = 0x02, ACK = 0x10, RST = 0x04, PSH = 0x08;

// One golden row: an input frame and everything the worker must do with it.
struct fixture {
  std::string name;
  uint16_t in_iface;
  bytes input;
  std::vector<sent_frame> expected;
  std::optional<drop_reason> drop;
  unsigned queue = 0; // the RX queue it arrives on, polled by the worker of that number
  uint64_t rx_flags = 0; // the receiving NIC's checksum verdicts (RTE_MBUF_F_RX_*), none by default
};

// Frames as the client sends them to the gateway's uplink and as backends send to the downlink.
inline packet_builder from_client() {
  return packet_builder().eth(k_client, dataplane_harness::mac_text(k_uplink));
}
inline packet_builder to_client() {
  return packet_builder().eth(dataplane_harness::mac_text(k_uplink), k_client);
}
inline packet_builder from_backend(const std::string& mac) {
  return packet_builder().eth(mac, dataplane_harness::mac_text(k_downlink));
}
inline packet_builder to_backend(const std::string& mac) {
  return packet_builder().eth(dataplane_harness::mac_text(k_downlink), mac);
}

// Clients off the uplink's subnet (reached through its gateway, the client MAC), numbered from 0.
inline std::string client_ip(unsigned i) { return "192.168.0." + std::to_string(i + 1); }

// The first client_ip() whose flows `worker` of `workers` owns (dataplane/worker/handoff.hpp).
inline std::string client_owned_by(unsigned worker, unsigned workers = 2) {
  for (unsigned i = 0;; ++i)
    if (flow_owner(ip(client_ip(i).c_str()), workers) == worker) return client_ip(i);
}

// Runs each row in order (flow state carries over) on the worker polling its queue and checks its
// frames and that exactly its drop counter, and no other, moved.
inline void run_fixtures(dataplane_harness& h, const std::vector<fixture>& rows) {
  for (const fixture& f : rows) {
    SCOPED_TRACE(f.name);
    const auto before = h.drop_counts();
    const auto out = h.send(f.in_iface, f.input, f.queue, f.rx_flags);
    EXPECT_EQ(out, f.expected);
    auto after = h.drop_counts();
    if (f.drop) {
      const std::string name(name_of(*f.drop));
      EXPECT_EQ(after[name], before.at(name) + 1) << "drop reason " << name;
      after[name] -= 1;
    }
    EXPECT_EQ(after, before) << "no other drop counter may move";
  }
}

} // namespace sluice::testing
