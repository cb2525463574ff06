#include "control/acl/cidr.hpp"

#include <charconv>

#include "dataplane/net/ipv4.hpp"

namespace sluice {

std::optional<parsed_cidr> parse_ipv4_cidr(std::string_view text) noexcept {
  const auto slash = text.find('/');
  const auto addr = parse_ipv4(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned len = 32;
  if (slash != std::string_view::npos) {
    const char* b = text.data() + slash + 1;
    const char* e = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(b, e, len);
    if (b == e || ec != std::errc{} || ptr != e || len > 32) return std::nullopt;
  }
  const uint32_t mask = prefix_mask(len);
  return parsed_cidr{{*addr & mask, uint8_t(len)}, (*addr & ~mask) != 0};
}

} // namespace sluice
