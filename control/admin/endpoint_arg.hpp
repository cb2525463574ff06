#pragma once
// "ADDRESS:PORT" as the admin API's queries and bodies write an IPv4 endpoint (lookup's client
// and virtual, trace's vip and backend).

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

struct endpoint_value {
  uint32_t addr; // network byte order
  uint16_t port; // network byte order
};

// nullopt unless `text` is an IPv4 address, a colon and a port 1..65535.
std::optional<endpoint_value> parse_endpoint(std::string_view text);

} // namespace sluice
