#include "dataplane/net/ipv4.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace sluice {

std::optional<uint32_t> parse_ipv4(std::string_view text) noexcept {
  uint32_t host = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (text.empty() || text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
    unsigned octet = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, octet);
    const auto digits = ptr - begin;
    if (ec != std::errc{} || digits == 0 || digits > 3 || octet > 255) return std::nullopt;
    if (digits > 1 && *begin == '0') return std::nullopt;
    host = (host << 8) | octet;
    text.remove_prefix(static_cast<std::size_t>(digits));
  }
  if (!text.empty()) return std::nullopt;
  return htonl(host);
}

std::string format_ipv4(uint32_t be_addr) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &be_addr, buf, sizeof buf);
  return buf;
}

uint32_t prefix_mask(unsigned prefix_len) noexcept {
  if (prefix_len == 0) return 0;
  if (prefix_len >= 32) return 0xffffffffu;
  return htonl(~((1u << (32 - prefix_len)) - 1));
}

} // namespace sluice
