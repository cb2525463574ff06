#pragma once
// The addresses the appliance answers for, and what each one is: an interface's own address, a
// VIP, or a full-NAT local address. Workers ask it once per packet that needs it (ARP, local
// delivery, a flow miss, steering); the control plane builds it with each snapshot.
//
// Keyed by address family: IPv4 addresses live in one flat index; a second family gets its own
// index beside it and its branch in find().

#include <cstdint>
#include <utility>
#include <vector>

#include "dataplane/net/address.hpp"
#include "dataplane/snapshot/flat_index.hpp"

namespace sluice {

// none: not an address of ours. fnat_local: a full-NAT local address (the source backends see),
// which only replies reach.
enum class local_kind : uint8_t { none = 0, iface_address = 1, vip = 2, fnat_local = 3 };

struct local_address {
  static constexpr uint16_t k_no_link = 0xffff; // in no interface's subnet: never answered by ARP

  local_kind kind = local_kind::none;
  uint16_t iface = k_no_link; // the interface whose link the address lives on

  explicit operator bool() const noexcept { return kind != local_kind::none; }
  bool is(local_kind k) const noexcept { return kind == k; }
  // Answered by ARP (or neighbour discovery) on `link` only.
  bool lives_on(uint16_t link) const noexcept { return kind != local_kind::none && iface == link; }
};

class local_address_table {
public:
  local_address_table() = default;
  // Addresses must be distinct (the first of duplicates would win unpredictably).
  explicit local_address_table(const std::vector<std::pair<uint32_t, local_address>>& ipv4) {
    std::vector<std::pair<uint64_t, uint32_t>> entries;
    entries.reserve(ipv4.size());
    for (const auto& [addr, what] : ipv4) entries.emplace_back(key(addr), pack(what));
    ipv4_ = flat_index(entries);
  }

  local_address find(const ip_addr& addr) const noexcept {
    switch (addr.family()) {
    case addr_family::ipv4:
      return find_ipv4(addr.v4());
    }
    unknown_family();
  }
  // find()'s IPv4 branch, for code that reads IPv4 headers (ARP, steering): `addr` in network
  // byte order.
  local_address find_ipv4(uint32_t addr) const noexcept {
    const uint32_t v = ipv4_.find(key(addr));
    if (v == flat_index::k_absent) return {};
    return {static_cast<local_kind>(v >> 16), uint16_t(v & 0xffff)};
  }

private:
  static constexpr uint64_t key(uint32_t addr) noexcept { return (uint64_t{addr} << 8) | 1u; }
  static constexpr uint32_t pack(local_address a) noexcept {
    return (uint32_t(a.kind) << 16) | a.iface;
  }

  flat_index ipv4_;
};

} // namespace sluice
