#pragma once
// Compiles one service's scheduler inputs into the snapshot: the weight summaries wrr and random
// read, and the lookup table of sh/dh (weighted buckets) or mh (Maglev).

#include <cstdint>

#include "control/config/model.hpp"

namespace sluice {

// Call after the service's backends were appended to s.backends (svc.first_backend and
// svc.backend_count set). Fills svc's table_* and weight fields and appends to
// s.weight_prefix and s.sched_tables. `maglev_table_size` must be prime.
void compile_scheduler(const service_config& sc, uint32_t maglev_table_size, snapshot& s,
                       snapshot_service& svc);

} // namespace sluice
