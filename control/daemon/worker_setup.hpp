#pragma once
// What a worker is given at start, derived from the config: shared by sluiced, the golden-packet
// tests and the benchmarks so that all three run workers set up the same way.

#include <vector>

#include "control/config/model.hpp"
#include "dataplane/worker/setup.hpp"

namespace sluice {

worker_setup make_worker_setup(const config& c, unsigned worker_id,
                               std::vector<uint16_t> port_ids, rte_mempool* pool, int socket_id);

} // namespace sluice
