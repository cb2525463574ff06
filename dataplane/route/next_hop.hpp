#pragma once
// Output interface and next hop for a destination: a directly connected subnet wins, else the
// first interface with a gateway of the destination's family. Interfaces are few (a handful per appliance), so a scan of
// the snapshot's interface array beats any trie.

#include <cstdint>
#include <optional>

#include "dataplane/net/address.hpp"
#include "dataplane/net/ipv6.hpp"
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

// The interface whose IPv6 prefix holds `dst`, with `dst` itself as the next hop; nullopt when
// it is not directly connected. A link-local destination names no interface by itself: it is
// on the link of the only interface with IPv6, and unreachable without a zone when there are more.
inline std::optional<next_hop> on_link_route_ipv6(const snapshot& s, const uint8_t* dst) noexcept {
  std::optional<next_hop> link_local;
  unsigned with_ipv6 = 0;
  for (uint16_t i = 0; i < s.ifaces.size(); ++i) {
    const snapshot_iface& f = s.ifaces[i];
    if (!f.has_ipv6()) continue;
    ++with_ipv6;
    if (same_prefix6(dst, f.addr6.data(), f.prefix6)) return next_hop{i, ip_addr::ipv6(dst)};
    link_local = next_hop{i, ip_addr::ipv6(dst)};
  }
  if (is_link_local6(dst) && with_ipv6 == 1) return link_local;
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

inline std::optional<next_hop> route_ipv6(const snapshot& s, const uint8_t* dst,
                                          route_scope scope) noexcept {
  if (const auto hop = on_link_route_ipv6(s, dst)) return hop;
  if (scope == route_scope::on_link) return std::nullopt;
  for (uint16_t i = 0; i < s.ifaces.size(); ++i)
    if (s.ifaces[i].has_ipv6() && !is_unspecified6(s.ifaces[i].gateway6.data()))
      return next_hop{i, ip_addr::ipv6(s.ifaces[i].gateway6)};
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
  case addr_family::ipv6:
    return route_ipv6(s, dst.v6(), scope);
  }
  unknown_family();
}

} // namespace sluice
