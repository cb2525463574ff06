#pragma once
// Fragment rows shared by the mode tables: a datagram's fragments fed in a chosen order, the
// last one expected to release the whole datagram, rewritten and cut again for the egress MTU.

#include <string>
#include <vector>

#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {

// Rows feeding `frags` in `order`: every fragment but the last one fed is held (no frame, no
// drop); the last releases `out`.
inline std::vector<fixture> fragment_rows(const std::string& name, uint16_t iface,
                                          const std::vector<bytes>& frags,
                                          const std::vector<std::size_t>& order,
                                          std::vector<sent_frame> out) {
  std::vector<fixture> rows;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const bool last = i + 1 == order.size();
    rows.push_back({name + ": fragment " + std::to_string(order[i]) +
                        (last ? " completes the datagram" : " is held"),
                    iface, frags.at(order[i]), last ? std::move(out) : std::vector<sent_frame>{},
                    std::nullopt});
  }
  return rows;
}

// `frames` as transmitted on `iface`, in order.
inline std::vector<sent_frame> sent_on(uint16_t iface, const std::vector<bytes>& frames) {
  std::vector<sent_frame> out;
  for (const bytes& f : frames) out.push_back({iface, f});
  return out;
}

// The link MTU's payload per fragment (1500 - 20), as the gateway and the senders cut.
inline constexpr std::size_t k_mtu_chunk = 1480;

// bulk: UDP 9000 over be1 and be2 (rr), so two flows show which backend each datagram reached.
inline std::string fragment_config_yaml() {
  return lab_yaml_head() + R"(  - { name: bulk, address: 10.0.0.100, port: 9000, protocol: udp,
      backends: [{ address: 10.0.1.11, port: 9001 }, { address: 10.0.1.12, port: 9001 }] }
)";
}

// A datagram of the client to the bulk service, with IP ID `id`.
inline packet_builder bulk_request(uint16_t client_port, uint16_t id) {
  return from_client().ipv4("10.0.0.1", "10.0.0.100").ip_id(id).udp(client_port, 9000);
}

} // namespace sluice::testing
