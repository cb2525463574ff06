#pragma once
// What the dataplane is given at start, derived from the config: sluiced, the golden-packet tests
// and the benchmarks all make their dataplane_setup here, so that their workers are set up alike
// and differ only in the ports and the mbuf pool they are handed.

#include <rte_mempool.h>

#include <optional>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/assembly/assembly.hpp"
#include "dataplane/port/port.hpp"
#include "dataplane/worker/setup.hpp"

namespace sluice {

// dataplane.workers workers: worker i polls queue i of every port of `ports` (the interfaces'
// DPDK ports, by interface index) and of every kernel twin in `exception_ports` (by interface
// index; empty: none), originates packets from `pool`, and runs on (or is polled from) lcores[i].
// With dataplane.idle: adaptive each sleeps on those of its queues that have a wake-up.
// Throws std::invalid_argument when `ports` or `lcores` do not match the config.
dataplane_setup make_dataplane_setup(const config& c, const std::vector<port_info>& ports,
                                     const std::vector<std::optional<exception_port>>& exception_ports,
                                     rte_mempool* pool, std::vector<unsigned> lcores);

} // namespace sluice
