#include "control/daemon/control_plane.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <utility>

#include "control/admin/api.hpp"
#include "control/admin/views.hpp"
#include "control/log/log.hpp"

namespace sluice {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& e : v) s += (s.empty() ? "" : "; ") + e;
  return s;
}

admin_response error(int status, const std::vector<std::string>& errors) {
  return {status, nlohmann::json{{"errors", errors}}.dump()};
}

} // namespace

control_plane::control_plane(std::string config_path, config initial,
                             std::vector<port_info> ports, snapshot_publisher& publisher,
                             std::vector<const worker_stats*> stats)
    : path_(std::move(config_path)), ports_(std::move(ports)), publisher_(publisher),
      stats_(std::move(stats)),
      slots_{slot_registry(initial.dataplane.max_services),
             slot_registry(initial.dataplane.max_backends)} {
  std::lock_guard lock(mu_);
  const int64_t us = apply(std::move(initial));
  log::info("msg=\"config applied\" source=file file={} generation={} services={} publish_us={}",
            path_, generation_, applied_.services.size(), us);
}

int64_t control_plane::apply(config next) {
  const auto start = std::chrono::steady_clock::now();
  auto snap = compile_snapshot(next, ports_, slots_, generation_ + 1);
  applied_ = std::move(next);
  publish(std::move(snap), start);
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

int64_t control_plane::apply(service_delta d) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<service_config>& services = applied_.services;
  const snapshot& prev = publisher_.latest();
  std::unique_ptr<snapshot> snap;
  // The applied config is edited in place (copying every service would cost more than the
  // compile) and put back as it was if the compile is refused.
  switch (d.kind) {
  case service_delta::op::add:
    services.push_back(std::move(d.service));
    try {
      snap = recompile_service(prev, applied_, {.kind = service_change::op::added}, slots_,
                               generation_ + 1);
    } catch (const compile_error&) {
      services.pop_back();
      throw;
    }
    break;
  case service_delta::op::replace: {
    service_config old = std::exchange(services[d.index], std::move(d.service));
    try {
      snap = recompile_service(prev, applied_,
                               {.kind = service_change::op::replaced, .index = d.index, .old = &old},
                               slots_, generation_ + 1);
    } catch (const compile_error&) {
      services[d.index] = std::move(old);
      throw;
    }
    break;
  }
  case service_delta::op::remove: {
    service_config old = std::move(services[d.index]);
    services.erase(services.begin() + std::ptrdiff_t(d.index));
    snap = recompile_service(prev, applied_,
                             {.kind = service_change::op::removed, .index = d.index, .old = &old},
                             slots_, generation_ + 1); // removal acquires nothing: cannot throw
    break;
  }
  }
  publish(std::move(snap), start);
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

void control_plane::publish(std::unique_ptr<snapshot> next,
                            std::chrono::steady_clock::time_point start) {
  publisher_.publish(std::move(next));
  ++generation_;
  metrics_.generation = generation_;
  metrics_.publishes++;
  metrics_.publish_seconds_sum +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<std::string> control_plane::reload() {
  load_result r = load_config_file(path_);
  std::vector<std::string> problems;
  for (const config_error& e : r.errors) problems.push_back(e.to_string());
  std::lock_guard lock(mu_);
  if (r.cfg) {
    // Ports, workers and memory are sized at start; only services change at run time.
    if (!(r.cfg->dataplane == applied_.dataplane))
      problems.push_back(path_ + ": dataplane: changed; restart sluiced to apply");
    if (!(r.cfg->interfaces == applied_.interfaces))
      problems.push_back(path_ + ": interfaces: changed; restart sluiced to apply");
    if (!(r.cfg->admin == applied_.admin))
      problems.push_back(path_ + ": admin: changed; restart sluiced to apply");
  }
  if (problems.empty()) {
    try {
      const int64_t us = apply(std::move(*r.cfg));
      metrics_.reloads_applied++;
      // Like ipvsadm-restore over ipvsadm edits: the file wins over runtime changes.
      log::info("msg=\"config applied\" source=file file={} generation={} services={} "
                "publish_us={} runtime_changes_replaced={}",
                path_, generation_, applied_.services.size(), us, runtime_changes_);
      runtime_changes_ = 0;
      return problems;
    } catch (const compile_error& e) {
      problems.push_back(path_ + ": " + e.what());
    }
  }
  metrics_.reloads_refused++;
  log::warn("msg=\"config refused\" source=file file={} problems={} errors=\"{}\"", path_,
            problems.size(), joined(problems));
  return problems;
}

admin_response control_plane::change(change_kind kind, const std::string& body) {
  std::lock_guard lock(mu_);
  change_plan plan = plan_change(applied_, kind, body);
  if (plan.delta) {
    try {
      const int64_t us = apply(std::move(*plan.delta));
      metrics_.api_changes_applied++;
      ++runtime_changes_;
      log::info("msg=\"change applied\" source=api op={} subject=\"{}\" generation={} "
                "publish_us={} note=\"runtime change: a reload from the file replaces it\"",
                name_of(kind), plan.subject, generation_, us);
      return {200, nlohmann::json{{"result", "applied"}, {"generation", generation_}}.dump()};
    } catch (const compile_error& e) {
      plan.status = 422;
      plan.errors.push_back(e.what());
    }
  }
  metrics_.api_changes_refused++;
  log::warn("msg=\"change refused\" source=api op={} subject=\"{}\" status={} errors=\"{}\"",
            name_of(kind), plan.subject, plan.status, joined(plan.errors));
  return error(plan.status, plan.errors);
}

admin_response control_plane::handle(const admin_request& req) {
  const std::string& m = req.method;
  if (req.target == api::k_services_path && m == "GET") {
    std::lock_guard lock(mu_);
    return {200, services_view(applied_, publisher_.latest(), stats_).dump()};
  }
  if (req.target == api::k_services_path && m == "POST")
    return change(change_kind::add_service, req.body);
  if (req.target == api::k_services_path && m == "PATCH")
    return change(change_kind::edit_service, req.body);
  if (req.target == api::k_services_path && m == "DELETE")
    return change(change_kind::delete_service, req.body);
  if (req.target == api::k_backends_path && m == "POST")
    return change(change_kind::add_backend, req.body);
  if (req.target == api::k_backends_path && m == "PATCH")
    return change(change_kind::edit_backend, req.body);
  if (req.target == api::k_backends_path && m == "DELETE")
    return change(change_kind::delete_backend, req.body);
  if (req.target == api::k_stats_path && m == "GET") return {200, stats_view(stats_).dump()};
  if (req.target == api::k_metrics_path && m == "GET") return handle_metrics(req);
  if (req.target == api::k_reload_path && m == "POST") {
    const auto problems = reload();
    if (!problems.empty()) return error(422, problems);
    return {200, nlohmann::json{{"result", "applied"}}.dump()};
  }
  return error(404, {"no such endpoint: " + m + " " + req.target});
}

admin_response control_plane::handle_metrics(const admin_request& req) {
  if (req.target != api::k_metrics_path || req.method != "GET")
    return error(404, {"no such endpoint: " + req.method + " " + req.target +
                       " (this address serves GET /metrics only)"});
  std::lock_guard lock(mu_);
  return {200, render_metrics(applied_, publisher_.latest(), stats_, metrics_),
          k_metrics_content_type};
}

} // namespace sluice
