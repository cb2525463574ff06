#pragma once
// Renders the admin API's service list the way `ipvsadm -Ln` does (same columns, widths and
// number scaling), so scripts written for ipvsadm read sluicectl unchanged.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "control/admin/api/flows.hpp"
#include "control/admin/api/services.hpp"

namespace sluice {

enum class list_format { plain, stats, rate, health };

// ipvsadm --rate's columns: per-second deltas of a service's or backend's traffic.
struct traffic_rate {
  uint64_t cps = 0, in_pps = 0, out_pps = 0, in_bps = 0, out_bps = 0;
  bool operator==(const traffic_rate&) const = default;
};

// Rates of one service of a list and of its backends, in the list's order.
struct service_rates {
  traffic_rate service;
  std::vector<traffic_rate> backends;
};

// Rates of `after`'s services since `before`, taken `seconds` earlier. A service or backend
// absent from `before` (by protocol, address and port) counts from zero; a counter that went
// backwards (its slot was reused) reads 0.
std::vector<service_rates> rate_view(const api::service_list& before,
                                     const api::service_list& after, double seconds);

// plain shows a backend its health check holds down with weight 0 (keepalived's
// inhibit_on_failure); health (no ipvsadm equivalent) shows the configured weight beside each
// backend's health state, check, streak and last failure; rate needs `rates` (rate_view()).
std::string format_ipvsadm(const api::service_list& services, list_format format,
                           const std::vector<service_rates>* rates = nullptr);

// `services` as JSON with a "rate" object beside each "stats" ({"cps", "in_pps", "out_pps",
// "in_bps", "out_bps"}): sluicectl list --rate --json.
nlohmann::json with_rates(const api::service_list& services, const std::vector<service_rates>& rates);

// GET /v1/flows as `ipvsadm -Lnc` prints connections: protocol, time left (mm:ss), state,
// source, virtual and destination address:port. A truncated sample ends with a line saying how
// many flows matched.
std::string format_ipvsadm_conns(const api::flow_sample_list& flows);

} // namespace sluice
