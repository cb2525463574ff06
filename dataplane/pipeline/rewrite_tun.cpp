// TUN (IPVS tunnelling): the client's packet goes to the backend inside an outer IPv4 header
// (xmit/tun.hpp); like DR, the backend answers the client directly.

#include <rte_ip.h>

#include "dataplane/icmp/error.hpp"
#include "dataplane/pipeline/stages.hpp"
#include "dataplane/xmit/tun.hpp"

namespace sluice::pipeline {

void forward_tun(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f) noexcept {
  next_hop hop;
  if (!st.out.flow_route(s, f, flow_dir::forward, hop))
    return st.out.drop(c.m, drop_reason::no_route);
  if (!tun_fits(c.pkt.ip, st.out.link_mtu(hop.iface)) &&
      (c.pkt.ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))) {
    // IPVS answers with the tunnel's MTU (ensure_mtu_is_adequate): the client's next packets
    // then fit once encapsulated. Without DF the outer packet leaves in fragments (the egress cuts it),
    // as Linux fragments it after ip_vs_tunnel_xmit; the backend's stack reassembles it.
    send_frag_needed(st, s, c.pkt.ip, st.out.link_mtu(hop.iface) - k_ipip_overhead);
    return st.out.drop(c.m, drop_reason::tun_frag_needed);
  }
  // The address of the interface it leaves by (the remembered entry's when the route is skipped).
  const ipip_outer outer{.src = s.ifaces[hop.iface].addr,
                         .dst = f.backend_addr,
                         .id = uint16_t(st.tun_sent++ * st.workers + st.id)};
  if (!tun_encapsulate(c.m, c.pkt, outer)) return st.out.drop(c.m, drop_reason::no_headroom);
  st.out.on_flow_via(s, c.m, f, flow_dir::forward, hop);
}

} // namespace sluice::pipeline
