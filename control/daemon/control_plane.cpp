#include "control/daemon/control_plane.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <map>
#include <optional>
#include <utility>

#include "control/acl/view.hpp"
#include "control/admin/api/changes.hpp"
#include "control/admin/api/decode.hpp"
#include "control/admin/views.hpp"
#include "control/announce/eligible_vips.hpp"
#include "control/k8s/sync_metrics.hpp"
#include "control/log/log.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& e : v) s += (s.empty() ? "" : "; ") + e;
  return s;
}

std::optional<uint64_t> parse_uint(const std::string& s) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

} // namespace

control_plane::control_plane(std::string config_path, config initial,
                             std::vector<port_info> ports, snapshot_publisher& publisher,
                             std::vector<const worker_stats*> stats)
    : stats_(std::move(stats)),
      desired_(std::move(config_path), std::move(initial), std::move(ports), publisher, metrics_,
               health_, announce_) {
  metrics_.kubernetes_enabled = desired_.applied().kubernetes.enabled;
}

std::vector<std::string> control_plane::reload() {
  std::lock_guard lock(mu_);
  return desired_.reload();
}

void control_plane::take_flow_requests(const command_rings& rings) {
  std::lock_guard lock(mu_);
  desired_.take_flow_requests(&rings);
}

std::vector<std::string> control_plane::replace_source_services(
    const std::string& source, std::vector<service_config> services) {
  std::lock_guard lock(mu_);
  return desired_.update_source(source, {.whole = true, .upserts = std::move(services)});
}

std::vector<std::string> control_plane::change_source_services(const std::string& source,
                                                               std::vector<service_config> upserts,
                                                               std::vector<std::string> removed) {
  std::lock_guard lock(mu_);
  return desired_.update_source(source, {.upserts = std::move(upserts), .removed = std::move(removed)});
}

void control_plane::note_programming_latencies(std::span<const double> seconds) {
  std::lock_guard lock(mu_);
  for (double s : seconds) metrics_.programming_seconds.observe(s);
}

std::vector<uint32_t> control_plane::eligible_vips() {
  std::lock_guard lock(mu_);
  return sluice::eligible_vips(desired_.applied(), &health_.table());
}

void control_plane::note_bgp(std::vector<uint32_t> announced, uint64_t apply_failures) {
  std::lock_guard lock(mu_);
  announce_.note_bgp(std::move(announced), apply_failures);
}

void control_plane::take_prober(health::prober* p) {
  std::lock_guard lock(mu_);
  health_.take_prober(p);
}

void control_plane::take_kubernetes(const k8s::sync* s) {
  std::lock_guard lock(mu_);
  kubernetes_ = s;
}

void control_plane::on_probe_results(const std::vector<health::probe_result>& results) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  for (const std::string& name : health_.record(results)) {
    desired_.recompile_for_health(name);
    for (const service_config& s : desired_.applied().services)
      if (s.name == name) health_.on_recompiled(s, desired_.slots().services.find(service_identity(s)), now);
  }
  health_.notify();
}

bool control_plane::service_available(const std::string& service_name) {
  std::lock_guard lock(mu_);
  return health_.available(service_name);
}

void control_plane::watch_availability(health::availability_callback cb) {
  std::lock_guard lock(mu_);
  health_.watch(std::move(cb));
}

void control_plane::tick() {
  const auto now = std::chrono::steady_clock::now();
  end_finished_trace(now);
  std::lock_guard lock(mu_);
  announce_.send_due(desired_.commands());
  health_.flush_due(desired_.commands(), now);
  desired_.flush_due_drains(now);
}

admin_response control_plane::handle(const admin_request& req) { return route(*this, req); }

admin_response control_plane::handle_metrics(const admin_request& req) {
  return route_metrics(*this, req);
}

api::service_list control_plane::list_services() {
  std::lock_guard lock(mu_);
  return services_view(desired_.applied(), desired_.published(), stats_, &health_.table());
}

void control_plane::take_mempools(std::vector<const rte_mempool*> pools) {
  std::lock_guard lock(mu_);
  mempools_ = std::move(pools);
}

api::stats_report control_plane::stats() {
  api::stats_report report = stats_view(stats_);
  std::lock_guard lock(mu_);
  report.mempools = mempool_usage(mempools_);
  return report;
}

api::acl_report control_plane::acls() {
  std::lock_guard lock(mu_);
  return acls_view(desired_.applied(), desired_.published(), stats_);
}

std::string control_plane::metrics() {
  std::lock_guard lock(mu_);
  std::string text =
      render_metrics(desired_.applied(), desired_.published(), stats_, metrics_, &health_.table());
  text += render_mempool_metrics(mempool_usage(mempools_));
  if (kubernetes_ != nullptr) {
    exposition e;
    k8s::sync_metric_families(e, *kubernetes_);
    text += e.take();
  }
  return text;
}

admin_response control_plane::reload_file() {
  const std::vector<std::string> problems = reload();
  if (!problems.empty()) return error_response(422, problems);
  return {200, nlohmann::json(api::reload_reply{}).dump()};
}

admin_response control_plane::refuse_change(change_kind kind, std::vector<std::string> errors) {
  std::lock_guard lock(mu_);
  metrics_.api_changes_refused++;
  log::warn("msg=\"change refused\" source=api op={} subject=\"\" status=422 errors=\"{}\"",
            name_of(kind), joined(errors));
  return error_response(422, std::move(errors));
}

admin_response control_plane::change(const runtime_change& c) {
  std::lock_guard lock(mu_);
  change_plan plan = plan_change(desired_.applied(), c);
  const bool flush = c.flush();
  if (plan.delta && flush) {
    if (c.kind != change_kind::delete_service && c.kind != change_kind::delete_backend) {
      plan.status = 422;
      plan.errors.push_back("flush: only a service or backend deletion flushes flows");
    } else if (desired_.commands() == nullptr) {
      plan.status = 503;
      plan.errors.push_back("flush: this sluiced has no workers that take flow requests");
    }
    if (plan.status != 200) plan.delta.reset();
  }
  if (plan.delta) {
    try {
      const desired_state::change_result r = desired_.apply_change(std::move(*plan.delta), flush);
      metrics_.api_changes_applied++;
      log::info("msg=\"change applied\" source=api op={} subject=\"{}\" generation={} "
                "publish_us={} flush={} flows_flushed={} note=\"runtime change: a reload from "
                "the file replaces it\"",
                name_of(c.kind), plan.subject, desired_.generation(), r.publish_us, flush,
                r.flows_flushed);
      api::change_reply reply{.generation = desired_.generation()};
      if (flush) reply.flows_flushed = r.flows_flushed;
      if (!r.flush_answered) {
        log::error("msg=\"flush unanswered\" subject=\"{}\" note=\"a worker did not finish "
                   "within 5 s\"", plan.subject);
        reply.errors = {"flush: a worker did not answer within 5 s; its flows drain instead"};
      }
      return {200, nlohmann::json(reply).dump()};
    } catch (const compile_error& e) {
      plan.status = 422;
      plan.errors.push_back(e.what());
    }
  }
  metrics_.api_changes_refused++;
  log::warn("msg=\"change refused\" source=api op={} subject=\"{}\" status={} errors=\"{}\"",
            name_of(c.kind), plan.subject, plan.status, joined(plan.errors));
  return error_response(plan.status, plan.errors);
}

admin_response control_plane::flows(const api::flows_query& q) {
  std::lock_guard lock(mu_);
  const command_rings* commands = desired_.commands();
  if (commands == nullptr)
    return error_response(503, {"flows: this sluiced has no workers that take flow requests"});
  const config& applied = desired_.applied();
  const slot_registries& slots = desired_.slots();
  std::vector<std::string> problems;
  flow_filter filter;
  uint32_t limit = api::k_default_flow_limit;
  if (q.limit) {
    const auto v = parse_uint(*q.limit);
    if (!v || *v < 1 || *v > api::k_max_flow_limit)
      problems.push_back("limit: must be an integer in 1..100000 (got \"" + *q.limit + "\")");
    else
      limit = uint32_t(*v);
  }
  if (q.client) {
    const auto addr = parse_ipv4(*q.client);
    if (!addr) problems.push_back("client: not an IPv4 address: \"" + *q.client + "\"");
    else filter.client_addr = *addr;
  }
  const service_config* svc = nullptr;
  if (q.name || q.address) {
    // The selector as a change request would carry it, so it is refused in the same words.
    nlohmann::json sel;
    if (q.name) {
      sel["name"] = *q.name;
    } else {
      sel["address"] = *q.address;
      if (q.port) sel["port"] = api::number_or_text(*q.port);
      if (q.protocol) sel["protocol"] = *q.protocol;
    }
    service_lookup found;
    try {
      found = lookup_service(applied, api::decode_value<api::service_selector>(sel, "service"));
    } catch (const api::decode_error& e) {
      return error_response(422, {e.what()});
    }
    if (found.status != 200) return error_response(found.status, {found.error});
    svc = &applied.services[found.index];
    filter.service_slot = slots.services.find(service_identity(*svc)).value_or(flow_filter::k_any);
  }
  if (q.backend) {
    const std::string& b = *q.backend;
    const auto colon = b.rfind(':');
    const auto addr = parse_ipv4(b.substr(0, colon));
    const auto port = colon == std::string::npos ? std::optional<uint64_t>(svc ? ntohs(svc->port) : 0)
                                                 : parse_uint(b.substr(colon + 1));
    if (svc == nullptr) {
      problems.push_back("backend: needs the service (name=, or address= and port=)");
    } else if (!addr || !port || *port > 65535) {
      problems.push_back("backend: must be ADDRESS[:PORT] (got \"" + b + "\")");
    } else {
      const backend_config* found = nullptr;
      for (const backend_config& bc : svc->backends)
        if (bc.addr == *addr && bc.port == htons(uint16_t(*port))) found = &bc;
      if (found == nullptr)
        return error_response(404, {"backend: service \"" + svc->name + "\" has no backend " + b});
      filter.backend_slot = slots.backends.find(backend_identity(*svc, *found)).value_or(flow_filter::k_any);
    }
  }
  if (!problems.empty()) return error_response(422, problems);
  const flow_request_result r =
      ask_workers(*commands, flow_command::op::sample, filter, limit, std::chrono::seconds(5));
  if (!r.answered) return error_response(503, {"flows: a worker did not answer within 5 s"});
  std::map<uint32_t, std::string> names;
  for (const service_config& sc : applied.services)
    if (const auto slot = slots.services.find(service_identity(sc))) names[*slot] = sc.name;
  return {200, nlohmann::json(flows_view(r, names, limit)).dump()};
}

} // namespace sluice
