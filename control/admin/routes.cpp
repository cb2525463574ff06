#include "control/admin/routes.hpp"

#include <functional>

#include "control/admin/api/changes.hpp"
#include "control/admin/api/decode.hpp"
#include "control/admin/metrics.hpp"
#include "control/admin/query.hpp"

namespace sluice {
namespace {

using handler = std::function<admin_response(admin_handlers&, const admin_request&)>;

admin_response json_response(const nlohmann::json& body) { return {200, body.dump()}; }

// A runtime change whose body decodes as Request.
template <class Request>
handler change_route(change_kind kind) {
  return [kind](admin_handlers& h, const admin_request& req) {
    try {
      return h.change({.kind = kind, .request = api::decode_text<Request>(req.body)});
    } catch (const api::decode_error& e) {
      return h.refuse_change(kind, {e.what()});
    }
  };
}

// A GET whose query decodes into its struct inside `handle`; a parameter that does not is
// refused whole (422), naming it.
template <class Handle>
handler query_route(Handle handle) {
  return [handle](admin_handlers& h, const admin_request& req) {
    try {
      return handle(h, parse_target(req.target));
    } catch (const api::decode_error& e) {
      return error_response(422, {e.what()});
    }
  };
}

handler handler_of(api::endpoint_id id) {
  using api::endpoint_id;
  switch (id) {
  case endpoint_id::list_services:
    return [](admin_handlers& h, const admin_request&) { return json_response(h.list_services()); };
  case endpoint_id::add_service: return change_route<api::service_definition>(change_kind::add_service);
  case endpoint_id::edit_service: return change_route<api::service_edit>(change_kind::edit_service);
  case endpoint_id::delete_service: return change_route<api::service_removal>(change_kind::delete_service);
  case endpoint_id::add_backend: return change_route<api::backend_change>(change_kind::add_backend);
  case endpoint_id::edit_backend: return change_route<api::backend_change>(change_kind::edit_backend);
  case endpoint_id::delete_backend: return change_route<api::backend_change>(change_kind::delete_backend);
  case endpoint_id::stats:
    return [](admin_handlers& h, const admin_request&) { return json_response(h.stats()); };
  case endpoint_id::flows:
    return query_route([](admin_handlers& h, const request_target& t) {
      return h.flows(api::flows_query_from(t.params));
    });
  case endpoint_id::lookup:
    return query_route([](admin_handlers& h, const request_target& t) {
      return h.lookup(api::lookup_query_from(t.params));
    });
  case endpoint_id::start_trace:
    return [](admin_handlers& h, const admin_request& req) {
      try {
        return h.start_trace(api::decode_text<api::trace_request>(req.body));
      } catch (const api::decode_error& e) {
        return error_response(422, {e.what()});
      }
    };
  case endpoint_id::read_trace:
    return query_route([](admin_handlers& h, const request_target& t) {
      return h.read_trace(api::trace_query_from(t.params));
    });
  case endpoint_id::acls:
    return [](admin_handlers& h, const admin_request&) { return json_response(h.acls()); };
  case endpoint_id::reload: return [](admin_handlers& h, const admin_request&) { return h.reload_file(); };
  case endpoint_id::metrics:
    return [](admin_handlers& h, const admin_request&) {
      return admin_response{200, h.metrics(), k_metrics_content_type};
    };
  }
  return nullptr;
}

struct route_entry {
  const api::endpoint* endpoint;
  handler handle;
};

const std::vector<route_entry>& table() {
  static const std::vector<route_entry> routes = [] {
    std::vector<route_entry> out;
    for (const api::endpoint& e : api::k_endpoints) out.push_back({&e, handler_of(e.id)});
    return out;
  }();
  return routes;
}

// Only the endpoints whose request is a query (flows, lookup, read_trace) take query parameters;
// elsewhere a query names no endpoint.
const route_entry* find(const admin_request& req) {
  const request_target t = parse_target(req.target);
  for (const route_entry& r : table()) {
    if (r.endpoint->method != req.method || r.endpoint->path != t.path) continue;
    const bool takes_query =
        r.endpoint->id == api::endpoint_id::flows || r.endpoint->id == api::endpoint_id::lookup ||
        r.endpoint->id == api::endpoint_id::read_trace;
    if (!takes_query && t.path != req.target) continue;
    return &r;
  }
  return nullptr;
}

} // namespace

admin_response error_response(int status, std::vector<std::string> errors) {
  return {status, nlohmann::json(api::error_reply{std::move(errors)}).dump()};
}

admin_response route(admin_handlers& h, const admin_request& req) {
  if (const route_entry* r = find(req)) return r->handle(h, req);
  return error_response(404, {"no such endpoint: " + req.method + " " + req.target});
}

admin_response route_metrics(admin_handlers& h, const admin_request& req) {
  const route_entry* r = find(req);
  if (r == nullptr || r->endpoint->id != api::endpoint_id::metrics)
    return error_response(404, {"no such endpoint: " + req.method + " " + req.target +
                                " (this address serves GET /metrics only)"});
  return r->handle(h, req);
}

} // namespace sluice
