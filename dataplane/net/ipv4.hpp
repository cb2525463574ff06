#pragma once
// IPv4 helpers shared by the control plane and the dataplane. Addresses are kept in network
// byte order (`rte_be32_t`-compatible uint32_t) wherever they meet packets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Parses dotted-quad "a.b.c.d" strictly (no leading zeros beyond "0", no shorthand).
// Returns the address in network byte order, or nullopt.
std::optional<uint32_t> parse_ipv4(std::string_view text) noexcept;

// Formats a network-byte-order address as dotted quad.
std::string format_ipv4(uint32_t be_addr);

// Netmask (network byte order) of a prefix length 0..32.
uint32_t prefix_mask(unsigned prefix_len) noexcept;

} // namespace sluice
