#pragma once
// The contract between sluiced's admin API and its clients (sluicectl, scripts): HTTP/1.1 with
// JSON bodies over the admin Unix socket. Paths and field names live here once, so the daemon
// and the CLI cannot drift apart.
//
//   GET    /v1/services -> {"services": [service...]}
//   GET    /v1/stats    -> {"workers": [worker...], "drops": {reason: n}, "drop_descriptions": {...}}
//   GET    /metrics     -> Prometheus text (also, and only, on TCP at admin.metrics)
//   POST   /v1/reload   -> {"result": "applied"} or 422 {"errors": ["file:line: field: msg"]}
//   GET    /v1/flows[?name=N | ?address=VIP&port=P&protocol=tcp|udp][&backend=RIP:PORT]
//                       [&client=ADDR][&limit=N (1..100000, default 1000)]   (ipvsadm -Lc)
//          -> {"flows": [flow...], "matched": n, "truncated": bool}; every worker walks its own
//             table in bounded steps, so this costs forwarding nothing but answers in ~10 ms
//             per million flows. `backend` needs the service.
//   GET    /v1/acls     -> {"acls": [acl_set...], "global_acls": [name...],
//                           "services": {service name: [set name...]}}
//
// Runtime changes, ipvsadm's -A -E -D -a -e -d. Each is validated whole with the config file's
// rules; a refused one changes nothing. They last until the next reload from the file.
//   POST   /v1/services {service definition}                          add a service      (-A)
//   PATCH  /v1/services {"service": selector, "set": {field: value}}    edit a service     (-E)
//   DELETE /v1/services {"service": selector}                          delete a service   (-D)
//   POST   /v1/backends {"service": selector, "backend": {"address", "port"?, "weight"?}}  (-a)
//   PATCH  /v1/backends {"service": selector, "backend": {"address", "port"?, "weight"}}  (-e)
//   DELETE /v1/backends {"service": selector, "backend": {"address", "port"?}}            (-d)
//   The two DELETEs take "flush": true to erase the removed service's or backend's flows at
//   once (their packets are then dropped as no_service / tcp_not_syn) instead of letting them
//   drain until they end; the reply then carries "flows_flushed": n.
//     -> 200 {"result": "applied", "generation": n}
//     -> 422 {"errors": ["services[web].backends[3].address: not an IPv4 address: \"10.0.1.300\""]}
//     -> 404 {"errors": ["service: no tcp service 10.0.0.100:81"]} (selector matches nothing)
//
//   service definition = one entry of the config file's `services:` list, as JSON: {"name"?,
//              "address", "port", "protocol"?, "forwarding"?, "scheduler"?,
//              "persistence_timeout"?, "health_check"?, "backends"?}; name defaults to "tcp/10.0.0.100:80",
//              backends to [].
//   selector = {"name": "web"} or {"protocol": "tcp"|"udp" (default tcp), "address", "port"}
//   set      = service definition fields other than backends.
//   backend "port" defaults to the service's; "forwarding", when given, must be the service's
//   (ipvsadm sets it per real server, Sluice per service).
//
//   service = {"name", "protocol": "tcp"|"udp", "address", "port", "forwarding", "scheduler",
//              "persistence_timeout", "stats": traffic, "backends": [backend...]}
//   backend = {"address", "port", "weight", "configured_weight", "active_conns",
//              "inactive_conns", "stats": traffic, "health"?: health}
//              weight is what the scheduler uses: 0 while the health check holds the backend down
//              (as keepalived's inhibit_on_failure shows it), else configured_weight.
//   health  = {"state": "up"|"down"|"unknown", "check": "tcp"|"http", "port", "streak",
//              "checks_passed", "checks_failed", "transitions", "last_detail"}; present only
//              when the service has a health_check. "unknown": not yet rise passes or fall
//              failures in a row since the backend appeared; it is scheduled like up.
//   flow    = {"worker", "protocol", "state" (ESTABLISHED, SYN_RECV, FIN_WAIT, CLOSE, UDP),
//              "client", "virtual", "backend" ("address:port" each), "forwarding", "service"
//              (name; "" once the service is gone), "expires_in_ms"}
//   traffic = {"conns", "in_packets", "in_bytes", "out_packets", "out_bytes"}
//   worker  = {"worker", one field per counter of dataplane/stats/worker_counter_list.hpp (its
//              name, e.g. "rx_packets"; docs/metrics.md lists them), "running_us" (since the
//              worker started), "asleep_us" (of which asleep, dataplane.idle: adaptive),
//              "drops": {reason: n}}
//
//   acl_set = {"name", "default": "allow"|"deny", "default_hits", "rules": [acl_rule...]}
//   acl_rule = {"name", "action": "allow"|"deny", "reply": "none"|"rst"|"icmp", "payload": bool,
//               "hits"}; hits = flows the rule (or the default) decided, summed over workers
//
// Errors: any non-2xx status carries {"errors": [messages]}.

namespace sluice::api {

inline constexpr const char* k_services_path = "/v1/services";
inline constexpr const char* k_backends_path = "/v1/backends";
inline constexpr const char* k_stats_path = "/v1/stats";
inline constexpr const char* k_reload_path = "/v1/reload";
inline constexpr const char* k_flows_path = "/v1/flows";
inline constexpr const char* k_acls_path = "/v1/acls";
inline constexpr const char* k_metrics_path = "/metrics";

} // namespace sluice::api
