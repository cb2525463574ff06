#pragma once
// DR forwarding (IPVS "Route"): the client's frame goes to the backend's MAC on the backend's own
// link with the IP packet unchanged but for the TTL. The backend holds the VIP on a loopback
// (arp_ignore=1, arp_announce=2) and answers the client directly, so no reply ever comes back
// through the gateway and the destination port cannot change (backend port = VIP port).

#include "dataplane/net/parse.hpp"

namespace sluice {

// A DR backend is reached on a connected subnet only (route_scope::on_link,
// dataplane/route/next_hop.hpp): a DR frame addressed to a router would be routed back to the
// VIP's owner, i.e. us.

// The only change DR makes to the IP packet: TTL - 1, header checksum patched. Linux IPVS does
// the same in every forwarding mode since 4.3 (__ip_vs_get_out_rt -> decrement_ttl): the gateway
// is a router hop, so a TTL loop through two balancers still ends. Requires TTL > 1 (classify()
// drops the rest) and a packet validated by parse_ipv4().
void dr_rewrite(const ipv4_packet& pkt) noexcept;

} // namespace sluice
