#include "control/announce/eligible_vips.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace sluice {

std::vector<uint32_t> eligible_vips(const config& c, const health::health_table* health) {
  std::vector<uint32_t> out;
  for (const service_config& s : c.services) {
    const bool usable =
        std::any_of(s.backends.begin(), s.backends.end(), [&](const backend_config& b) {
          return health != nullptr ? health::eligible(s, b, *health) : b.weight > 0;
        });
    if (usable) out.push_back(s.vip);
  }
  std::sort(out.begin(), out.end(), [](uint32_t a, uint32_t b) { return ntohl(a) < ntohl(b); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace sluice
