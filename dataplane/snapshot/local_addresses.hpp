#pragma once
// The addresses the appliance answers for, and what each one is: an interface's own address, a
// VIP, or a full-NAT local address. Workers ask it once per packet that needs it (ARP, local
// delivery, a flow miss, steering); the control plane builds it with each snapshot.
//
// Keyed by address family: IPv4 addresses live in one flat index, IPv6 addresses in their own
// beside it.

#include <cstdint>
#include <cstring>
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
  explicit local_address_table(const std::vector<std::pair<uint32_t, local_address>>& ipv4,
                               const std::vector<std::pair<ipv6_bytes, local_address>>& ipv6 = {}) {
    std::vector<std::pair<uint64_t, uint32_t>> entries;
    entries.reserve(ipv4.size());
    for (const auto& [addr, what] : ipv4) entries.emplace_back(key(addr), pack(what));
    ipv4_ = flat_index(entries);
    // IPv6: the flat index maps the address's hash to its entry, which holds the whole address
    // to confirm it. Addresses whose hashes collide (never seen, but possible) share the first
    // one's key, so the second is found by a scan of the entries after a mismatch.
    ipv6_.reserve(ipv6.size());
    std::vector<std::pair<uint64_t, uint32_t>> by_hash;
    for (const auto& [addr, what] : ipv6) {
      const uint64_t k = key6(addr.data());
      bool seen = false;
      for (const auto& [other, i] : by_hash) seen = seen || other == k;
      if (!seen) by_hash.emplace_back(k, uint32_t(ipv6_.size()));
      ipv6_.push_back({addr, pack(what)});
    }
    ipv6_index_ = flat_index(by_hash);
  }

  local_address find(const ip_addr& addr) const noexcept {
    switch (addr.family()) {
    case addr_family::ipv4:
      return find_ipv4(addr.v4());
    case addr_family::ipv6:
      return find_ipv6(addr.v6());
    }
    unknown_family();
  }
  // find()'s IPv4 branch, for code that reads IPv4 headers (ARP, steering): `addr` in network
  // byte order.
  local_address find_ipv4(uint32_t addr) const noexcept {
    const uint32_t v = ipv4_.find(key(addr));
    if (v == flat_index::k_absent) return {};
    return unpack(v);
  }

  // find()'s IPv6 branch: `addr` is a header's 16 bytes.
  local_address find_ipv6(const uint8_t* addr) const noexcept {
    const uint32_t first = ipv6_index_.find(key6(addr));
    if (first == flat_index::k_absent) return {};
    for (uint32_t i = first; i < ipv6_.size(); ++i)
      if (std::memcmp(ipv6_[i].addr.data(), addr, 16) == 0) return unpack(ipv6_[i].what);
    return {};
  }

private:
  struct ipv6_entry {
    ipv6_bytes addr;
    uint32_t what;
  };
  // Non-zero, as the flat index's keys must be.
  static uint64_t key6(const uint8_t* addr) noexcept {
    uint64_t hi, lo;
    std::memcpy(&hi, addr, 8);
    std::memcpy(&lo, addr + 8, 8);
    return ((hi * 0x9e3779b97f4a7c15ull) ^ lo) | 1u;
  }
  static constexpr local_address unpack(uint32_t v) noexcept {
    return {static_cast<local_kind>(v >> 16), uint16_t(v & 0xffff)};
  }
  static constexpr uint64_t key(uint32_t addr) noexcept { return (uint64_t{addr} << 8) | 1u; }
  static constexpr uint32_t pack(local_address a) noexcept {
    return (uint32_t(a.kind) << 16) | a.iface;
  }

  flat_index ipv4_;
  flat_index ipv6_index_;         // key6(address) -> first entry in ipv6_ with that key
  std::vector<ipv6_entry> ipv6_;
};

} // namespace sluice
