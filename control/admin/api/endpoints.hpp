#pragma once
// The admin API's endpoints: HTTP/1.1 with JSON bodies over the admin Unix socket (mode 0600),
// and GET /metrics alone on TCP at admin.metrics. The daemon's routes and the documentation
// (docs/admin-api.md, checked against this table by a unit test) both come from here.

#include <array>
#include <string_view>

namespace sluice::api {

inline constexpr const char* k_services_path = "/v1/services";
inline constexpr const char* k_backends_path = "/v1/backends";
inline constexpr const char* k_stats_path = "/v1/stats";
inline constexpr const char* k_reload_path = "/v1/reload";
inline constexpr const char* k_flows_path = "/v1/flows";
inline constexpr const char* k_lookup_path = "/v1/lookup";
inline constexpr const char* k_acls_path = "/v1/acls";
inline constexpr const char* k_trace_path = "/v1/trace";
inline constexpr const char* k_metrics_path = "/metrics";

enum class endpoint_id {
  list_services,
  add_service,
  edit_service,
  delete_service,
  add_backend,
  edit_backend,
  delete_backend,
  stats,
  flows,
  lookup,
  acls,
  start_trace,
  read_trace,
  reload,
  metrics,
};

struct endpoint {
  endpoint_id id;
  std::string_view method;
  std::string_view path;
  std::string_view request;  // the request body's struct ("" for none; a GET: its query)
  std::string_view response; // the 200 body's struct; "text" for the Prometheus exposition
  std::string_view ipvsadm;  // the ipvsadm equivalent, if any
};

inline constexpr std::array k_endpoints{
    endpoint{endpoint_id::list_services, "GET", k_services_path, "", "service_list", "-Ln"},
    endpoint{endpoint_id::add_service, "POST", k_services_path, "service_definition", "change_reply", "-A"},
    endpoint{endpoint_id::edit_service, "PATCH", k_services_path, "service_edit", "change_reply", "-E"},
    endpoint{endpoint_id::delete_service, "DELETE", k_services_path, "service_removal", "change_reply", "-D"},
    endpoint{endpoint_id::add_backend, "POST", k_backends_path, "backend_change", "change_reply", "-a"},
    endpoint{endpoint_id::edit_backend, "PATCH", k_backends_path, "backend_change", "change_reply", "-e"},
    endpoint{endpoint_id::delete_backend, "DELETE", k_backends_path, "backend_change", "change_reply", "-d"},
    endpoint{endpoint_id::stats, "GET", k_stats_path, "", "stats_report", ""},
    endpoint{endpoint_id::flows, "GET", k_flows_path, "flows_query", "flow_sample_list", "-Lnc"},
    endpoint{endpoint_id::lookup, "GET", k_lookup_path, "lookup_query", "lookup_reply", ""},
    endpoint{endpoint_id::acls, "GET", k_acls_path, "", "acl_report", ""},
    endpoint{endpoint_id::start_trace, "POST", k_trace_path, "trace_request", "trace_started", ""},
    endpoint{endpoint_id::read_trace, "GET", k_trace_path, "trace_query", "trace_batch", ""},
    endpoint{endpoint_id::reload, "POST", k_reload_path, "", "reload_reply", ""},
    endpoint{endpoint_id::metrics, "GET", k_metrics_path, "", "text", ""},
};

} // namespace sluice::api
