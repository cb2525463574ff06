#pragma once
// Compiles one service's scheduler inputs: the weight summaries wrr and random read, and the
// lookup table of sh/dh (weighted buckets) or mh (Maglev).

#include <cstdint>

#include "control/config/model.hpp"

namespace sluice {

// Call after block.backends holds the service's backends in config order, with the weights to
// schedule by (0 for a backend its health check took out, whatever the config says). Fills svc's
// table_size and weight fields and block's weight_prefix and table. `maglev_table_size` must
// be prime.
void compile_scheduler(const service_config& sc, uint32_t maglev_table_size, service_block& block,
                       snapshot_service& svc);

} // namespace sluice
