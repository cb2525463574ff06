#pragma once
// JSON views of the running state for the admin API (field names: admin/api.hpp). Counters are
// summed over workers at read time; workers never aggregate anything.

#include <nlohmann/json.hpp>

#include <map>
#include <span>
#include <string>

#include "control/config/model.hpp"
#include "control/daemon/flow_requests.hpp"
#include "control/health/health_state.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

// `applied` is the config `snap` was compiled from (services and backends in the same order);
// `health` (if any) adds each checked backend's health.
nlohmann::json services_view(const config& applied, const snapshot& snap,
                             std::span<const worker_stats* const> workers,
                             const health::health_table* health = nullptr);

// The "health" object of admin/api.hpp for one checked backend.
nlohmann::json health_json(const health::backend_health& h);

nlohmann::json stats_view(std::span<const worker_stats* const> workers);

// GET /v1/flows: the sampled flows, `service_names` by service slot ("" when the flow's
// service is gone and it is draining).
nlohmann::json flows_view(const flow_request_result& r, const std::map<uint32_t, std::string>& service_names,
                          uint32_t limit);

} // namespace sluice
