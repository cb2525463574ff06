// Gratuitous ARP for the L2 announcement (announce.l2): the control plane decides what to
// announce and when (control/announce/l2_schedule.hpp) and queues garp_requests; worker 0 builds
// each frame from its mempool and sends it on the interface, as it does its own ARP requests.
// Through the worker rather than a kernel socket, the announcement needs no exception path and
// leaves with exactly the MAC the dataplane answers ARP with.

#include "dataplane/arp/arp.hpp"
#include "dataplane/worker/worker.hpp"

namespace sluice {

void worker::send_garps(const snapshot& s) noexcept {
  garp_request r[k_garp_budget];
  const unsigned n =
      rte_ring_sc_dequeue_burst_elem(garp_ring_, r, sizeof r[0], k_garp_budget, nullptr);
  for (unsigned i = 0; i < n; ++i) {
    if (r[i].iface >= s.ifaces.size()) continue; // a request about interfaces of no snapshot
    rte_mbuf* m = rte_pktmbuf_alloc(st_.out.pool());
    if (m == nullptr) return; // the control plane repeats the announcement anyway
    auto* frame = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, k_arp_frame_len));
    // RFC 5227's ARP announcement: a request whose sender and target address are both addr.
    write_arp_request(frame, s.ifaces[r[i].iface].mac, r[i].addr, r[i].addr);
    st_.counters.garps_sent.add();
    st_.out.to_port(r[i].iface, m);
  }
}

} // namespace sluice
