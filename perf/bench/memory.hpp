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
  double heap_bytes_per_flow;
  double hugepage_bytes_per_flow; // pages EAL mapped in for it (--in-memory maps on demand)
};

memory_cost cost_per_flow(const memory_sample& before, const memory_sample& after, uint64_t flows);

} // namespace sluice::bench
