#pragma once
// Address families, and the address value the family-neutral seams take: the packet descriptor,
// the local-address table, routes, the neighbour cache and the egress.
//
// Code that depends on the family switches on it with one case per family and no default, so
// that a family added to addr_family is a compile error (-Wswitch, warnings are errors) at every
// seam still missing its branch. With one family the switches compile to that family's code.

#include <cstdint>

namespace sluice {

enum class addr_family : uint8_t { ipv4 = 4 };

// After a switch over addr_family whose every case returned: no other value is ever produced.
[[noreturn]] inline void unknown_family() noexcept { __builtin_unreachable(); }

// An address and its family, network byte order. An IPv4 address is one word and compares as
// one; a second family's address goes beside it in a union.
class ip_addr {
public:
  constexpr ip_addr() noexcept = default;
  static constexpr ip_addr ipv4(uint32_t addr) noexcept { return ip_addr(addr_family::ipv4, addr); }

  constexpr addr_family family() const noexcept { return family_; }
  // The IPv4 address, for family ipv4 only.
  constexpr uint32_t v4() const noexcept { return v4_; }

  friend constexpr bool operator==(const ip_addr& a, const ip_addr& b) noexcept {
    if (a.family_ != b.family_) return false;
    switch (a.family_) {
    case addr_family::ipv4:
      return a.v4_ == b.v4_;
    }
    unknown_family();
  }

private:
  constexpr ip_addr(addr_family f, uint32_t v4) noexcept : v4_(v4), family_(f) {}

  uint32_t v4_ = 0;
  addr_family family_ = addr_family::ipv4;
};

} // namespace sluice
