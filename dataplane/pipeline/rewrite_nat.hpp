#pragma once
// NAT (IPVS masquerading): the client's packets go to the backend with their destination
// rewritten, the backend's replies come back with their source rewritten to the VIP. Defined in
// a header: NAT's established packet is the hot path, and established.cpp calls it inline.

#include "dataplane/pipeline/stages.hpp"
#include "dataplane/xmit/nat.hpp"

namespace sluice::pipeline {

[[gnu::always_inline]] inline void forward_nat(pipeline_state& st, const snapshot& s,
                                               packet_desc& c, flow& f, flow_dir dir) noexcept {
  if (dir == flow_dir::forward)
    nat_rewrite_destination(c.pkt, {f.backend_addr, f.backend_port});
  else
    nat_rewrite_source(c.pkt, {f.vip, f.vip_port});
  st.out.on_flow(s, c.m, f, dir);
}

} // namespace sluice::pipeline
