#pragma once
// Renders the admin API's service list the way `ipvsadm -Ln` does (same columns, widths and
// number scaling), so scripts written for ipvsadm read sluicectl unchanged.

#include <nlohmann/json.hpp>

#include <string>

namespace sluice {

enum class list_format { plain, stats, rate, health };

// `services` is the body of GET /v1/services; for list_format::rate, as rate_view() returns it.
// plain shows a backend its health check holds down with weight 0 (keepalived's
// inhibit_on_failure); health (no ipvsadm equivalent) shows the configured weight beside each
// backend's health state, check, streak and last failure.
std::string format_ipvsadm(const nlohmann::json& services, list_format format);

// The body of GET /v1/flows as `ipvsadm -Lnc` prints connections: protocol, time left
// (mm:ss), state, source, virtual and destination address:port. A truncated sample ends with a
// line saying how many flows matched.
std::string format_ipvsadm_conns(const nlohmann::json& flows);

// `after` (a GET /v1/services body) with a "rate" object beside each "stats": per-second deltas
// since `before`, taken `seconds` earlier — {"cps", "in_pps", "out_pps", "in_bps", "out_bps"},
// ipvsadm --rate's columns. A service or backend absent from `before` counts from zero; a
// counter that went backwards (its slot was reused) reads 0.
nlohmann::json rate_view(const nlohmann::json& before, const nlohmann::json& after,
                         double seconds);

} // namespace sluice
