#include "dataplane/assembly/mbuf_budget.hpp"

#include "dataplane/neigh/table.hpp"
#include "dataplane/port/port.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/setup.hpp"
#include "dataplane/worker/worker.hpp"

namespace sluice {

unsigned mbufs_needed(unsigned ports, unsigned workers) noexcept {
  const unsigned per_queue = k_rx_desc + k_tx_desc + worker::k_burst;
  // Packets waiting for ARP in an eighth of the neighbour entries at once, and what the worker
  // originates itself (ARP requests, ICMP errors) meanwhile.
  const unsigned per_worker = worker_setup{}.neighbour_capacity * neighbour::k_queue_len / 8 + 512;
  const unsigned handoff = workers * (workers - 1) * handoff_mesh::k_ring_size;
  const unsigned n = ports * workers * per_queue + workers * per_worker + handoff + 4096;
  // One less than a multiple of 1024, towards DPDK's advice that a mempool of 2^q - 1 mbufs is
  // the most compact.
  return n | 1023;
}

} // namespace sluice
