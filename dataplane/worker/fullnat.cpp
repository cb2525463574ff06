// Full-NAT flows: choosing the local address and port of a new flow, and the rewrite in each
// direction. forward.cpp dispatches here after updating the flow's state and counters.

#include <cerrno>

#include "dataplane/route/next_hop.hpp"
#include "dataplane/worker/worker.hpp"
#include "dataplane/xmit/fnat.hpp"

namespace sluice {
namespace {

// Candidate local endpoints tried before a new flow is refused. A busy candidate costs one hash
// lookup; giving up after a bounded number keeps a nearly exhausted pool from stalling a burst.
constexpr unsigned k_local_port_tries = 32;

} // namespace

int64_t worker::insert_fnat(const snapshot& s, const snapshot_service& svc, flow& f) noexcept {
  const std::vector<uint32_t>& pool = svc.block->local_addresses;
  uint32_t default_addr = 0;
  if (pool.empty()) {
    // No pool configured: the address of the interface that reaches the backend (one address
    // per interface, as a Linux host masquerading on that link would use).
    const auto hop = route(s, f.backend_addr);
    if (!hop) return -EADDRNOTAVAIL;
    default_addr = s.ifaces[hop->iface].addr;
  }
  for (unsigned t = 0; t < k_local_port_tries; ++t) {
    f.local_addr = pool.empty() ? default_addr : pool[local_addr_cursor_++ % pool.size()];
    f.local_port = rte_cpu_to_be_16(local_ports_.next());
    const int64_t r = flows_.insert(f);
    // -EEXIST: this backend already talks to that local address:port; try the next one.
    if (r != -EEXIST) return r;
  }
  return -EADDRNOTAVAIL;
}

void worker::forward_fnat(const snapshot& s, candidate& c, const flow& f, flow_dir dir) noexcept {
  if (dir == flow_dir::forward) {
    fnat_rewrite_forward(c.pkt, {f.local_addr, f.local_port}, {f.backend_addr, f.backend_port});
    route_out(s, c.m, f.backend_addr);
  } else {
    fnat_rewrite_reply(c.pkt, {f.vip, f.vip_port}, {f.client_addr, f.client_port});
    route_out(s, c.m, f.client_addr);
  }
}

} // namespace sluice
