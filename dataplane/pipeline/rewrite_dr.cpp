// DR (IPVS direct routing): the client's packet goes to the backend unchanged but for its
// Ethernet header; the backend owns the VIP on a loopback and answers the client directly, so
// the gateway sees only the forward direction.

#include "dataplane/pipeline/stages.hpp"
#include "dataplane/xmit/dr.hpp"

namespace sluice::pipeline {

void forward_dr(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f) noexcept {
  dr_rewrite(c.pkt);
  // The config refuses off-link DR backends; a frame for one could only go to a router.
  st.out.on_flow(s, c.m, f, flow_dir::forward, route_scope::on_link);
}

} // namespace sluice::pipeline
