// The forward direction of DR and TUN flows. Their backends answer clients directly, so these
// are the only packets of such a flow the gateway ever sees; forward.cpp dispatches here after
// updating the flow's state and counters.

#include <rte_ether.h>

#include "dataplane/icmp/error.hpp"
#include "dataplane/route/next_hop.hpp"
#include "dataplane/worker/worker.hpp"
#include "dataplane/xmit/dr.hpp"
#include "dataplane/xmit/tun.hpp"

namespace sluice {

void worker::forward_dr(const snapshot& s, candidate& c, flow& f) noexcept {
  dr_rewrite(c.pkt);
  // The config refuses off-link DR backends; a frame for one could only go to a router.
  route_flow_out(s, c.m, f, flow_dir::forward, f.backend_addr, route_scope::on_link);
}

void worker::forward_tun(const snapshot& s, candidate& c, flow& f) noexcept {
  next_hop hop;
  if (!flow_route(s, f, flow_dir::forward, f.backend_addr, hop))
    return drop(c.m, drop_reason::no_route);
  if (!tun_fits(c.pkt.ip, k_link_mtu) &&
      (c.pkt.ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))) {
    // IPVS answers with the tunnel's MTU (ensure_mtu_is_adequate): the client's next packets
    // then fit once encapsulated. Without DF the outer packet leaves in fragments (send_via),
    // as Linux fragments it after ip_vs_tunnel_xmit; the backend's stack reassembles it.
    send_frag_needed(s, c.pkt.ip, k_link_mtu - k_ipip_overhead);
    return drop(c.m, drop_reason::tun_frag_needed);
  }
  // The address of the interface it leaves by (the remembered entry's when the route is skipped).
  const ipip_outer outer{.src = s.ifaces[hop.iface].addr,
                         .dst = f.backend_addr,
                         .id = uint16_t(tun_sent_++ * workers_ + id_)};
  if (!tun_encapsulate(c.m, c.pkt, outer)) return drop(c.m, drop_reason::no_headroom);
  send_on_flow(s, c.m, f, flow_dir::forward, hop);
}

void worker::send_frag_needed(const snapshot& s, const rte_ipv4_hdr* offending,
                              uint16_t mtu) noexcept {
  // From the address the client sent to (the VIP), as Linux's icmp_send does for a local one.
  send_icmp_error(s, offending, offending->dst_addr, k_icmp_dest_unreachable, k_icmp_frag_needed,
                  rte_cpu_to_be_32(mtu));
}

} // namespace sluice
