#pragma once
// The daemon's mempools as the admin API and the metrics report them: every pool of the
// process (the packet mbufs, each worker's reassembly buffers, any a driver made), listed once
// at start and read at each request from the control thread.

#include <rte_mempool.h>

#include <span>
#include <vector>

#include "control/admin/api/stats.hpp"

namespace sluice {

// Every mempool that exists now (rte_mempool_walk), in the order they were created. Call it
// once the dataplane is built; the pools must outlive every reading of them.
std::vector<const rte_mempool*> process_mempools();

// Each pool's name, size and elements in use. Safe while workers run (see api::mempool_report
// for what the in-use reading can and cannot tell).
std::vector<api::mempool_report> mempool_usage(std::span<const rte_mempool* const> pools);

} // namespace sluice
