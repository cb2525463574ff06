#include "control/daemon/control_plane.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

#include "control/admin/api.hpp"
#include "control/admin/views.hpp"
#include "control/log/log.hpp"

namespace sluice {

control_plane::control_plane(std::string config_path, config initial,
                             std::vector<port_info> ports, snapshot_publisher& publisher,
                             std::vector<const worker_stats*> stats)
    : path_(std::move(config_path)), ports_(std::move(ports)), publisher_(publisher),
      stats_(std::move(stats)),
      slots_{slot_registry(initial.dataplane.max_services),
             slot_registry(initial.dataplane.max_backends)} {
  std::lock_guard lock(mu_);
  apply(std::move(initial));
}

void control_plane::apply(config next) {
  const auto start = std::chrono::steady_clock::now();
  auto snap = compile_snapshot(next, ports_, slots_, ++generation_);
  publisher_.publish(std::move(snap));
  applied_ = std::move(next);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  log::info("msg=\"config applied\" generation={} services={} publish_us={}", generation_,
            applied_.services.size(), us);
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
      apply(std::move(*r.cfg));
    } catch (const compile_error& e) {
      problems.push_back(path_ + ": " + e.what());
    }
  }
  for (const std::string& p : problems) log::warn("msg=\"config refused\" problem=\"{}\"", p);
  return problems;
}

admin_response control_plane::handle(const admin_request& req) {
  auto error = [](int status, const std::vector<std::string>& errors) {
    return admin_response{status, nlohmann::json{{"errors", errors}}.dump()};
  };
  if (req.target == api::k_services_path && req.method == "GET") {
    std::lock_guard lock(mu_);
    return {200, services_view(applied_, publisher_.latest(), stats_).dump()};
  }
  if (req.target == api::k_stats_path && req.method == "GET")
    return {200, stats_view(stats_).dump()};
  if (req.target == api::k_reload_path && req.method == "POST") {
    const auto problems = reload();
    if (!problems.empty()) return error(422, problems);
    return {200, nlohmann::json{{"result", "applied"}}.dump()};
  }
  return error(404, {"no such endpoint: " + req.method + " " + req.target});
}

} // namespace sluice
