// Full-NAT flows: choosing the local address and port of a new flow, and the rewrite in each
// direction. established.cpp dispatches here after updating the flow's state and counters.

#include <rte_tcp.h>

#include <cerrno>

#include "dataplane/port/port.hpp"
#include "dataplane/route/next_hop.hpp"
#include "dataplane/pipeline/stages.hpp"
#include "dataplane/xmit/fnat.hpp"
#include "dataplane/xmit/proxy_v2.hpp"

namespace sluice::pipeline {
namespace {

// Candidate local endpoints tried before a new flow is refused. A busy candidate costs one hash
// lookup; giving up after a bounded number keeps a nearly exhausted pool from stalling a burst.
constexpr unsigned k_local_port_tries = 32;

} // namespace

bool draw_local_endpoint(pipeline_state& st, const snapshot& s, const snapshot_service& svc,
                         flow& f) noexcept {
  const std::vector<uint32_t>& pool = svc.block->local_addresses;
  uint32_t default_addr = 0;
  if (pool.empty()) {
    // No pool configured: the address of the interface that reaches the backend (one address
    // per interface, as a Linux host masquerading on that link would use).
    const auto hop = route(s, f.destination(flow_dir::forward));
    if (!hop) return false;
    default_addr = s.ifaces[hop->iface].addr;
  }
  const auto local = st.local_endpoints.next(static_cast<uint32_t>(pool.size()));
  f.local_addr = pool.empty() ? default_addr : pool[local.address_index];
  f.local_port = rte_cpu_to_be_16(local.port);
  return true;
}

int64_t insert_fnat(pipeline_state& st, const snapshot& s, const snapshot_service& svc,
                    const packet_desc& c, new_flow& nf) noexcept {
  flow& f = nf.f;
  if (svc.proxy_protocol_v2) {
    // The header goes where the client's data starts: right after its SYN's sequence number.
    const auto* tcp = reinterpret_cast<const rte_tcp_hdr*>(c.pkt.l4);
    f.proxy_len = k_proxy_v2_ipv4_len;
    f.proxy_start = rte_be_to_cpu_32(tcp->sent_seq) + 1;
  }
  // A planned flow holds its first candidate already (its reply tuple's home bucket is loading);
  // further ones are drawn only when a candidate is taken.
  for (unsigned t = 0; t < k_local_port_tries; ++t) {
    if ((t > 0 || !nf.local_drawn) && !draw_local_endpoint(st, s, svc, f)) return -EADDRNOTAVAIL;
    const int64_t r = st.flows.insert(f);
    // -EEXIST: this backend already talks to that local address:port; try the next one.
    if (r != -EEXIST) return r;
  }
  return -EADDRNOTAVAIL;
}

void forward_fnat(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f,
                  flow_dir dir) noexcept {
  if (dir == flow_dir::forward) {
    if (f.proxy_len != 0) {
      uint8_t header[k_proxy_v2_ipv4_len];
      write_proxy_v2_ipv4(header, f.client_addr, f.client_port, f.vip, f.vip_port);
      if (!proxy_forward(c.m, c.pkt, f.proxy_start, header, k_link_mtu))
        return st.out.drop(c.m, drop_reason::proxy_no_room);
    }
    fnat_rewrite_forward(c.pkt, {f.local_addr, f.local_port}, {f.backend_addr, f.backend_port});
  } else {
    if (f.proxy_len != 0) proxy_reply(c.pkt, f.proxy_start, f.proxy_len);
    fnat_rewrite_reply(c.pkt, {f.vip, f.vip_port}, {f.client_addr, f.client_port});
  }
  st.out.on_flow(s, c.m, f, dir);
}

} // namespace sluice::pipeline
