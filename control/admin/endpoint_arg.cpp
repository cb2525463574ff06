#include "control/admin/endpoint_arg.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "dataplane/net/ipv4.hpp"

namespace sluice {

std::optional<endpoint_value> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto addr = parse_ipv4(text.substr(0, colon));
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, port);
  if (!addr || ec != std::errc{} || end != last || first == last || port == 0 || port > 65535)
    return std::nullopt;
  return endpoint_value{*addr, htons(uint16_t(port))};
}

} // namespace sluice
