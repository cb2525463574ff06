#pragma once
// The admin API's routes: a table of (method, path) → handler over api/endpoints.hpp. Each
// request body is decoded once, here, into its struct (api/); a body that does not decode is
// refused whole with the field named, before any handler runs. The handlers themselves are the
// control plane's (admin_handlers).

#include <string>
#include <vector>

#include "control/admin/api/acls.hpp"
#include "control/admin/api/endpoints.hpp"
#include "control/admin/api/flows.hpp"
#include "control/admin/api/lookup.hpp"
#include "control/admin/api/services.hpp"
#include "control/admin/api/stats.hpp"
#include "control/admin/api/trace.hpp"
#include "control/admin/http_types.hpp"
#include "control/config/change.hpp"

namespace sluice {

class admin_handlers {
public:
  virtual ~admin_handlers() = default;
  virtual api::service_list list_services() = 0;
  virtual api::stats_report stats() = 0;
  virtual api::acl_report acls() = 0;
  virtual std::string metrics() = 0;
  // 200 with api::reload_reply, or 422 with the problems.
  virtual admin_response reload_file() = 0;
  // A runtime change, decoded; 200 with api::change_reply, or the refusal.
  virtual admin_response change(const runtime_change& c) = 0;
  // A change whose body did not decode: counted and logged as refused, answered with `errors`.
  virtual admin_response refuse_change(change_kind kind, std::vector<std::string> errors) = 0;
  virtual admin_response flows(const api::flows_query& q) = 0;
  virtual admin_response lookup(const api::lookup_query& q) = 0;
  // 200 with api::trace_started; 409 while a session is armed, 422 for a bad filter.
  virtual admin_response start_trace(const api::trace_request& r) = 0;
  // 200 with api::trace_batch; 404 for an id that is not the current session's.
  virtual admin_response read_trace(const api::trace_query& q) = 0;
};

// 4xx/5xx with api::error_reply.
admin_response error_response(int status, std::vector<std::string> errors);

// The Unix socket: every endpoint.
admin_response route(admin_handlers& h, const admin_request& req);
// The metrics listener (TCP, no file permissions): GET /metrics only.
admin_response route_metrics(admin_handlers& h, const admin_request& req);

} // namespace sluice
