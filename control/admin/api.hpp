#pragma once
// The contract between sluiced's admin API and its clients (sluicectl, scripts): HTTP/1.1 with
// JSON bodies over the admin Unix socket. Paths and field names live here once, so the daemon
// and the CLI cannot drift apart.
//
//   GET  /v1/services  -> {"services": [service...]}
//   GET  /v1/stats     -> {"workers": [worker...], "drops": {reason: n}, "drop_descriptions": {...}}
//   POST /v1/reload    -> {"result": "applied" | "unchanged"} or 422 {"errors": ["file:line: field: msg"]}
//
//   service = {"name", "protocol": "tcp"|"udp", "address", "port", "forwarding", "scheduler",
//              "persistence_timeout", "stats": traffic, "backends": [backend...]}
//   backend = {"address", "port", "weight", "active_conns", "inactive_conns", "stats": traffic}
//   traffic = {"conns", "in_packets", "in_bytes", "out_packets", "out_bytes"}
//   worker  = {"worker", "rx_packets", "tx_packets", "polls", "busy_polls", "flows_active",
//              "flows_created", "flows_expired", "arp_requests_sent", "arp_replies_sent",
//              "arp_replies_received", "icmp_echo_replies", "drops": {reason: n}}
//
// Errors: any non-2xx status carries {"errors": [messages]}.

namespace sluice::api {

inline constexpr const char* k_services_path = "/v1/services";
inline constexpr const char* k_stats_path = "/v1/stats";
inline constexpr const char* k_reload_path = "/v1/reload";

} // namespace sluice::api
