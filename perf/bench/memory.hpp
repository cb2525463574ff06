#pragma once
// Hugepage memory use, sampled before and after an allocation to price it per flow.

#include <cstdint>

namespace sluice::bench {

struct memory_sample {
  uint64_t heap_allocated; // rte_malloc_get_socket_stats(): bytes allocated on the socket's heap
  uint64_t hugepages_free; // /proc/meminfo HugePages_Free * Hugepagesize
};

memory_sample sample_memory(int socket);

struct memory_cost {
  double heap_bytes_per_flow;     // beyond fixed_heap_bytes
  double hugepage_bytes_per_flow; // everything: pages EAL mapped in (--in-memory maps on demand;
                                  // the count is the whole machine's)
  uint64_t fixed_heap_bytes = 0;  // taken whatever the flow capacity
};

// Memory taken between `before` and `after` by tables of `flows` flows in all; `fixed_heap` is
// what the same tables took at `fixed_flows` flows (a small probe), so the heap figure is the
// cost of one more flow, without the state a worker holds at any capacity.
memory_cost cost_per_flow(const memory_sample& before, const memory_sample& after, uint64_t flows,
                          uint64_t fixed_heap = 0, uint64_t fixed_flows = 0);

} // namespace sluice::bench
