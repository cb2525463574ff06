// The exception path: an interface's kernel twin (a net_tap port the control plane created and
// gave the interface's MAC and address). Packets for the interface's own address that the
// dataplane neither answers nor forwards go to the kernel; what the kernel sends on the tap
// leaves by the interface unchanged. Both directions pass a per-worker token bucket, so a flood
// neither starves the workers nor buries the kernel. net_tap's bursts are a read or write on
// its file descriptor per packet (without vhost-net there is no shared-memory path): the only
// syscalls a worker makes, bounded by the rate limit; the worker decides how often to read.

#include <rte_ethdev.h>

#include "dataplane/egress/egress.hpp"

namespace sluice {

void egress::to_kernel(uint16_t iface, rte_mbuf* m, drop_reason otherwise) noexcept {
  if (!has_kernel_twin(iface)) return drop(m, otherwise);
  kernel_twin& t = *twins_[iface];
  if (!t.to_kernel.allow(now_)) return drop(m, drop_reason::exception_to_kernel_limited);
  counters_.exception_to_kernel.add();
  if (t.queue.count == k_burst) send_queued(t.port, t.queue, drop_reason::exception_tap_full);
  t.queue.pkts[t.queue.count++] = m;
}

unsigned egress::relay_from_kernel() noexcept {
  rte_mbuf* pkts[k_burst];
  unsigned received = 0;
  for (uint16_t iface = 0; iface < twins_.size(); ++iface) {
    if (!twins_[iface]) continue;
    kernel_twin& t = *twins_[iface];
    const uint16_t n = rte_eth_rx_burst(t.port, static_cast<uint16_t>(id_), pkts, k_burst);
    received += n;
    for (uint16_t i = 0; i < n; ++i) {
      if (!t.from_kernel.allow(now_)) {
        drop(pkts[i], drop_reason::exception_from_kernel_limited);
        continue;
      }
      // The kernel wrote a complete frame with the interface's MAC as its source: sent as is.
      counters_.exception_from_kernel.add();
      to_port(iface, pkts[i]);
    }
  }
  return received;
}

} // namespace sluice
