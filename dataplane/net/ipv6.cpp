#include "dataplane/net/ipv6.hpp"

#include <arpa/inet.h>

namespace sluice {

std::optional<ipv6_bytes> parse_ipv6(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  ipv6_bytes out{};
  if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1) return std::nullopt;
  return out;
}

std::string format_ipv6(const uint8_t* addr) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, addr, buf, sizeof buf);
  return buf;
}

} // namespace sluice
