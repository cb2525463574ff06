#pragma once
// JSON views of the running state for the admin API (field names: admin/api.hpp). Counters are
// summed over workers at read time; workers never aggregate anything.

#include <nlohmann/json.hpp>

#include <map>
#include <span>
#include <string>

#include "control/config/model.hpp"
#include "control/daemon/flow_requests.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

// `applied` is the config `snap` was compiled from (services and backends in the same order).
nlohmann::json services_view(const config& applied, const snapshot& snap,
                             std::span<const worker_stats* const> workers);

nlohmann::json stats_view(std::span<const worker_stats* const> workers);

// GET /v1/flows: the sampled flows, `service_names` by service slot ("" when the flow's
// service is gone and it is draining).
nlohmann::json flows_view(const flow_request_result& r, const std::map<uint32_t, std::string>& service_names,
                          uint32_t limit);

} // namespace sluice
