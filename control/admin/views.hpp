#pragma once
// The admin API's views of the running state (api/): counters are summed over workers at read
// time; workers never aggregate anything.

#include <map>
#include <span>
#include <string>

#include "control/admin/api/flows.hpp"
#include "control/admin/api/services.hpp"
#include "control/admin/api/stats.hpp"
#include "control/config/model.hpp"
#include "control/daemon/flow_requests.hpp"
#include "control/health/health_state.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

// `applied` is the config `snap` was compiled from (services and backends in the same order);
// `health` (if any) adds each checked backend's health.
api::service_list services_view(const config& applied, const snapshot& snap,
                                std::span<const worker_stats* const> workers,
                                const health::health_table* health = nullptr);

// "address:port" of a network-byte-order address and port, as every view writes an endpoint.
std::string endpoint_text(uint32_t addr, uint16_t port);

// One checked backend's health.
api::backend_health health_view(const health::backend_health& h);

api::stats_report stats_view(std::span<const worker_stats* const> workers);

// GET /v1/flows: the sampled flows, `service_names` by service slot ("" when the flow's
// service is gone and it is draining), at most `limit`.
api::flow_sample_list flows_view(const flow_request_result& r,
                                 const std::map<uint32_t, std::string>& service_names,
                                 uint32_t limit);

} // namespace sluice
