#pragma once
// Address families, and the address value the family-neutral seams take: the packet descriptor,
// the local-address table, routes, the neighbour cache and the egress.
//
// Code that depends on the family switches on it with one case per family and no default, so
// that a family added to addr_family is a compile error (-Wswitch, warnings are errors) at every
// seam still missing its branch.

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice {

enum class addr_family : uint8_t { ipv4 = 4, ipv6 = 6 };

// After a switch over addr_family whose every case returned: no other value is ever produced.
[[noreturn]] inline void unknown_family() noexcept { __builtin_unreachable(); }

// An IPv6 address as it sits in a header (network byte order).
using ipv6_bytes = std::array<uint8_t, 16>;

// An address and its family, network byte order. An IPv4 address is one word and compares as
// one; an IPv6 address shares its storage and compares as two 64-bit words.
class ip_addr {
public:
  constexpr ip_addr() noexcept = default;
  static constexpr ip_addr ipv4(uint32_t addr) noexcept { return ip_addr(addr_family::ipv4, addr); }
  static ip_addr ipv6(const uint8_t* addr) noexcept {
    ip_addr a(addr_family::ipv6, 0);
    std::memcpy(a.v6_, addr, 16);
    return a;
  }
  static ip_addr ipv6(const ipv6_bytes& addr) noexcept { return ipv6(addr.data()); }

  constexpr addr_family family() const noexcept { return family_; }
  // The IPv4 address, for family ipv4 only.
  constexpr uint32_t v4() const noexcept { return v6_[0]; }
  // The IPv6 address's 16 bytes, for family ipv6 only.
  const uint8_t* v6() const noexcept { return reinterpret_cast<const uint8_t*>(v6_); }

  friend constexpr bool operator==(const ip_addr& a, const ip_addr& b) noexcept {
    if (a.family_ != b.family_) return false;
    switch (a.family_) {
    case addr_family::ipv4:
      return a.v6_[0] == b.v6_[0];
    case addr_family::ipv6:
      return ((a.v6_[0] ^ b.v6_[0]) | (a.v6_[1] ^ b.v6_[1]) | (a.v6_[2] ^ b.v6_[2]) |
              (a.v6_[3] ^ b.v6_[3])) == 0;
    }
    unknown_family();
  }

private:
  constexpr ip_addr(addr_family f, uint32_t v4) noexcept : v6_{v4, 0, 0, 0}, family_(f) {}

  // IPv4: word 0 alone (the rest zero); IPv6: all four words, as the header's bytes.
  uint32_t v6_[4] = {};
  addr_family family_ = addr_family::ipv4;
};

} // namespace sluice
