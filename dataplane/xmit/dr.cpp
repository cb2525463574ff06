#include "dataplane/xmit/dr.hpp"

#include "dataplane/xmit/nat.hpp"

namespace sluice {

void dr_rewrite(const ipv4_packet& pkt) noexcept { decrement_ttl(pkt.ip); }

} // namespace sluice
