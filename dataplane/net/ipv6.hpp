#pragma once
// IPv6 address helpers shared by the control plane and the dataplane. Addresses are the 16 bytes
// of a header (net/address.hpp's ipv6_bytes).

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "dataplane/net/address.hpp"

namespace sluice {

// Parses an IPv6 address in any of RFC 4291's text forms (RFC 5952's among them), nothing around
// it (no brackets, no zone). Nullopt when it is not one.
std::optional<ipv6_bytes> parse_ipv6(std::string_view text);
// RFC 5952 text (lower case, the longest zero run as "::").
std::string format_ipv6(const uint8_t* addr);
inline std::string format_ipv6(const ipv6_bytes& addr) { return format_ipv6(addr.data()); }

// Whether the first `prefix_len` bits (0..128) of `a` and `b` agree.
inline bool same_prefix6(const uint8_t* a, const uint8_t* b, unsigned prefix_len) noexcept {
  const unsigned whole = prefix_len / 8, bits = prefix_len % 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  if (bits == 0) return true;
  const uint8_t mask = uint8_t(0xff00u >> bits);
  return ((a[whole] ^ b[whole]) & mask) == 0;
}

inline bool is_multicast6(const uint8_t* a) noexcept { return a[0] == 0xff; }
inline bool is_unspecified6(const uint8_t* a) noexcept {
  static constexpr uint8_t zero[16] = {};
  return std::memcmp(a, zero, 16) == 0;
}
inline bool is_link_local6(const uint8_t* a) noexcept {
  return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

// The solicited-node multicast group of `target` (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1), which
// Neighbor Solicitations for it are sent to.
inline ipv6_bytes solicited_node6(const uint8_t* target) noexcept {
  ipv6_bytes g{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, target[13], target[14], target[15]};
  return g;
}
inline bool is_solicited_node6(const uint8_t* a) noexcept {
  static constexpr uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  return std::memcmp(a, prefix, sizeof prefix) == 0;
}
// The Ethernet address IPv6 multicast to `group` goes to (33:33 and its last 32 bits, RFC 2464).
inline void multicast_mac6(const uint8_t* group, uint8_t* mac) noexcept {
  mac[0] = 0x33;
  mac[1] = 0x33;
  std::memcpy(mac + 2, group + 12, 4);
}

} // namespace sluice
