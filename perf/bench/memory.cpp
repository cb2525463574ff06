#include "perf/bench/memory.hpp"

#include <rte_malloc.h>

#include <fstream>
#include <string>

namespace sluice::bench {

memory_sample sample_memory(int socket) {
  rte_malloc_socket_stats st{};
  rte_malloc_get_socket_stats(socket, &st);
  uint64_t free_pages = 0, page_kb = 0;
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t value;
  while (in >> key >> value) {
    if (key == "HugePages_Free:") free_pages = value;
    if (key == "Hugepagesize:") page_kb = value;
    in.ignore(256, '\n');
  }
  return {.heap_allocated = st.heap_allocsz_bytes, .hugepages_free = free_pages * page_kb * 1024};
}

memory_cost cost_per_flow(const memory_sample& before, const memory_sample& after, uint64_t flows,
                          uint64_t fixed_heap, uint64_t fixed_flows) {
  const double n = double(flows ? flows : 1);
  const double marginal = double(flows > fixed_flows ? flows - fixed_flows : 1);
  return {.heap_bytes_per_flow =
              (double(after.heap_allocated - before.heap_allocated) - double(fixed_heap)) / marginal,
          .hugepage_bytes_per_flow = (double(before.hugepages_free) - double(after.hugepages_free)) / n,
          .fixed_heap_bytes = fixed_heap};
}

} // namespace sluice::bench
