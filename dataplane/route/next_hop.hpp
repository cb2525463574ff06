#pragma once
// Output interface and next hop for a destination: a directly connected subnet wins, else the
// first interface with a gateway. Interfaces are few (a handful per appliance), so a scan of
// the snapshot's interface array beats any trie.

#include <cstdint>
#include <optional>

#include "dataplane/net/address.hpp"
#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

struct next_hop {
  uint16_t iface;
  ip_addr addr; // the destination itself or a gateway
};

// The interface whose IPv4 subnet holds `dst` (network byte order), with `dst` itself as the
// next hop; nullopt when it is not directly connected.
inline std::optional<next_hop> on_link_route_ipv4(const snapshot& s, uint32_t dst) noexcept {
  for (uint16_t i = 0; i < s.ifaces.size(); ++i) {
    const snapshot_iface& f = s.ifaces[i];
    if ((dst & f.netmask) == (f.addr & f.netmask)) return next_hop{i, ip_addr::ipv4(dst)};
  }
  return std::nullopt;
}

// Where a destination may be sent: anywhere (its connected subnet, else the first gateway), or
// only on a connected subnet (DR: a frame for a backend behind a router would come back to us).
enum class route_scope : uint8_t { any, on_link };

inline std::optional<next_hop> route_ipv4(const snapshot& s, uint32_t dst,
                                          route_scope scope) noexcept {
  if (const auto hop = on_link_route_ipv4(s, dst)) return hop;
  if (scope == route_scope::on_link) return std::nullopt;
  for (uint16_t i = 0; i < s.ifaces.size(); ++i)
    if (s.ifaces[i].gateway != 0) return next_hop{i, ip_addr::ipv4(s.ifaces[i].gateway)};
  return std::nullopt;
}

// The next hop towards `dst` within `scope`, by the routes of its family (the interfaces'
// subnets and gateways). An enum rather than a pointer to one of two functions: a routing
// function whose address is taken is kept out of line, and GCC returned its optional<next_hop>
// through the stack, assembled from a 2- and a 4-byte store and read back as 8 (a
// store-forwarding stall).
inline std::optional<next_hop> route(const snapshot& s, const ip_addr& dst,
                                     route_scope scope = route_scope::any) noexcept {
  switch (dst.family()) {
  case addr_family::ipv4:
    return route_ipv4(s, dst.v4(), scope);
  }
  unknown_family();
}

} // namespace sluice
