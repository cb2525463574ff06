#pragma once
// JSON views of the running state for the admin API (field names: admin/api.hpp). Counters are
// summed over workers at read time; workers never aggregate anything.

#include <nlohmann/json.hpp>

#include <span>

#include "control/config/model.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

// `applied` is the config `snap` was compiled from (services and backends in the same order).
nlohmann::json services_view(const config& applied, const snapshot& snap,
                             std::span<const worker_stats* const> workers);

nlohmann::json stats_view(std::span<const worker_stats* const> workers);

} // namespace sluice
