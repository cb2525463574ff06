#pragma once
// Output interface and next hop for a destination: a directly connected subnet wins, else the
// first interface with a gateway. Interfaces are few (a handful per appliance), so a scan of
// the snapshot's interface array beats any trie.

#include <cstdint>
#include <optional>

#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

struct next_hop {
  uint16_t iface;
  uint32_t addr; // network byte order: the destination itself or a gateway
};

// The interface whose subnet holds `dst`, with `dst` itself as the next hop; nullopt when it is
// not directly connected.
inline std::optional<next_hop> on_link_route(const snapshot& s, uint32_t dst) noexcept {
  for (uint16_t i = 0; i < s.ifaces.size(); ++i) {
    const snapshot_iface& f = s.ifaces[i];
    if ((dst & f.netmask) == (f.addr & f.netmask)) return next_hop{i, dst};
  }
  return std::nullopt;
}

inline std::optional<next_hop> route(const snapshot& s, uint32_t dst) noexcept {
  if (const auto hop = on_link_route(s, dst)) return hop;
  for (uint16_t i = 0; i < s.ifaces.size(); ++i)
    if (s.ifaces[i].gateway != 0) return next_hop{i, s.ifaces[i].gateway};
  return std::nullopt;
}

// route() or on_link_route(), for code that routes either way.
using router = std::optional<next_hop> (*)(const snapshot&, uint32_t) noexcept;

} // namespace sluice
