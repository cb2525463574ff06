#include "dataplane/xmit/dr.hpp"

#include "dataplane/xmit/nat.hpp"

namespace sluice {

std::optional<uint16_t> dr_link(const snapshot& s, uint32_t backend) noexcept {
  for (uint16_t i = 0; i < s.ifaces.size(); ++i) {
    const snapshot_iface& f = s.ifaces[i];
    if ((backend & f.netmask) == (f.addr & f.netmask)) return i;
  }
  return std::nullopt;
}

void dr_rewrite(const ipv4_packet& pkt) noexcept { decrement_ttl(pkt.ip); }

} // namespace sluice
