#include "control/desired/desired_state.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "control/log/log.hpp"

namespace sluice {
namespace {

using clock = std::chrono::steady_clock;

int64_t micros_since(clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start).count();
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& e : v) s += (s.empty() ? "" : "; ") + e;
  return s;
}

} // namespace

desired_state::desired_state(std::string config_path, config initial, std::vector<port_info> ports,
                             snapshot_publisher& publisher, control_metrics& metrics,
                             health::controller& health, announcement_controller& announce)
    : path_(std::move(config_path)), ports_(std::move(ports)), publisher_(publisher),
      metrics_(metrics), health_(health), announce_(announce),
      slots_{slot_registry(initial.dataplane.max_services),
             slot_registry(initial.dataplane.max_backends)} {
  const int64_t us = apply(std::move(initial));
  metrics_.last_reload_success_unix = unix_now();
  log::info("msg=\"config applied\" source=file file={} generation={} services={} publish_us={}",
            path_, generation_, applied_.services.size(), us);
}

int64_t desired_state::apply(config next) {
  const auto start = clock::now();
  // Slots of the services whose removed backends drain on a timer, before the compile frees them.
  std::vector<std::pair<const service_config*, uint32_t>> draining;
  for (const service_config& old : applied_.services)
    if (old.drain_timeout != 0)
      if (const auto slot = slots_.services.find(service_identity(old))) draining.emplace_back(&old, *slot);
  auto snap = compile_snapshot(next, ports_, slots_, generation_ + 1, &health_.down());
  if (!draining.empty() || drains_.pending() != 0) {
    std::map<std::string, const service_config*> by_identity;
    for (const service_config& s : next.services) by_identity[service_identity(s)] = &s;
    for (const auto& [old, slot] : draining) {
      const auto now = by_identity.find(service_identity(*old));
      drains_.on_change(*old, now == by_identity.end() ? nullptr : now->second, slot, start);
    }
    for (const service_config& s : next.services) drains_.on_added(s);
  }
  applied_ = std::move(next);
  publish(std::move(snap), start);
  health_.on_services(applied_.services);
  health_.notify();
  return micros_since(start);
}

int64_t desired_state::apply(service_delta d) {
  const auto start = clock::now();
  std::vector<service_config>& services = applied_.services;
  const snapshot& prev = publisher_.latest();
  const out_of_service* down = &health_.down();
  std::unique_ptr<snapshot> snap;
  // The applied config is edited in place (copying every service would cost more than the
  // compile) and put back as it was if the compile is refused.
  switch (d.kind) {
  case service_delta::op::add:
    drains_.on_added(d.service);
    services.push_back(std::move(d.service));
    try {
      snap = recompile_service(prev, applied_, {.kind = service_change::op::added}, slots_,
                               generation_ + 1, down);
    } catch (const compile_error&) {
      services.pop_back();
      throw;
    }
    health_.on_service(nullptr, &services.back());
    break;
  case service_delta::op::replace: {
    const auto old_slot = slots_.services.find(service_identity(services[d.index]));
    service_config old = std::exchange(services[d.index], std::move(d.service));
    try {
      snap = recompile_service(prev, applied_,
                               {.kind = service_change::op::replaced, .index = d.index, .old = &old},
                               slots_, generation_ + 1, down);
    } catch (const compile_error&) {
      services[d.index] = std::move(old);
      throw;
    }
    if (old_slot) drains_.on_change(old, &services[d.index], *old_slot, start);
    health_.on_service(&old, &services[d.index]);
    break;
  }
  case service_delta::op::remove: {
    const auto old_slot = slots_.services.find(service_identity(services[d.index]));
    service_config old = std::move(services[d.index]);
    services.erase(services.begin() + std::ptrdiff_t(d.index));
    if (old_slot) drains_.on_change(old, nullptr, *old_slot, start);
    snap = recompile_service(prev, applied_,
                             {.kind = service_change::op::removed, .index = d.index, .old = &old},
                             slots_, generation_ + 1, down); // removal acquires nothing: cannot throw
    health_.on_service(&old, nullptr);
    break;
  }
  }
  publish(std::move(snap), start);
  health_.notify();
  return micros_since(start);
}

int64_t desired_state::apply_each(std::vector<service_delta> deltas) {
  sort_for_apply(deltas);
  int64_t us = 0;
  for (service_delta& d : deltas) us += apply(std::move(d));
  return us;
}

void desired_state::publish(std::unique_ptr<snapshot> next, clock::time_point start) {
  publisher_.publish(std::move(next));
  ++generation_;
  metrics_.generation = generation_;
  metrics_.publishes++;
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  metrics_.publish_seconds_sum += seconds;
  metrics_.publish_seconds.observe(seconds);
  announce_.on_published(publisher_.latest(), applied_, commands_);
}

std::vector<std::string> desired_state::reload() {
  load_result r = load_config_file(path_);
  std::vector<std::string> problems;
  for (const config_error& e : r.errors) problems.push_back(e.to_string());
  if (r.cfg) {
    // Ports, workers and memory are sized at start; only services change at run time.
    auto restart_needed = [&](bool same, const char* field) {
      if (!same) problems.push_back(path_ + ": " + field + ": changed; restart sluiced to apply");
    };
    restart_needed(r.cfg->dataplane == applied_.dataplane, "dataplane");
    restart_needed(r.cfg->interfaces == applied_.interfaces, "interfaces");
    restart_needed(r.cfg->admin == applied_.admin, "admin");
    restart_needed(r.cfg->kubernetes == applied_.kubernetes, "kubernetes");
    restart_needed(r.cfg->address_pools == applied_.address_pools, "address_pools");
    // announce.l2 applies at reload (the next publication announces by its rules).
    restart_needed(r.cfg->announce.bgp == applied_.announce.bgp, "announce.bgp");
  }
  if (problems.empty()) {
    // Checked before anything is given up: a refused reload must leave the sources as they are.
    service_sources kept = sources_;
    std::vector<std::string> left_out;
    kept.keep_beside_file(r.cfg->services, applied_.services, left_out);
    for (const std::string& l : left_out)
      log::warn("msg=\"service of another source left out by the file\" problem=\"{}\"", l);
    try {
      const int64_t us = apply(std::move(*r.cfg));
      sources_ = std::move(kept);
      metrics_.reloads_applied++;
      metrics_.last_reload_successful = true;
      metrics_.last_reload_success_unix = unix_now();
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
  metrics_.last_reload_successful = false;
  log::warn("msg=\"config refused\" source=file file={} problems={} errors=\"{}\"", path_,
            problems.size(), joined(problems));
  return problems;
}

desired_state::change_result desired_state::apply_change(service_delta d, bool flush) {
  const std::vector<flow_filter> flushed = flush ? removed_by(d) : std::vector<flow_filter>{};
  change_result r{.publish_us = apply(std::move(d))};
  ++runtime_changes_;
  // The new snapshot is published first, so no worker opens a flow to what is flushed.
  for (const flow_filter& f : flushed) {
    const flow_request_result done =
        ask_workers(*commands_, flow_command::op::flush, f, 0, std::chrono::seconds(5));
    r.flows_flushed += done.matched;
    r.flush_answered = r.flush_answered && done.answered;
  }
  return r;
}

std::vector<flow_filter> desired_state::removed_by(const service_delta& d) const {
  std::vector<flow_filter> out;
  if (d.kind == service_delta::op::add) return out;
  const service_config& old = applied_.services[d.index];
  if (d.kind == service_delta::op::remove) {
    if (const auto slot = slots_.services.find(service_identity(old)))
      out.push_back({.service_slot = *slot});
    return out;
  }
  for (const backend_config& b : old.backends) {
    const bool kept = std::any_of(d.service.backends.begin(), d.service.backends.end(),
                                  [&](const backend_config& n) { return n.addr == b.addr && n.port == b.port; });
    if (kept) continue;
    if (const auto slot = slots_.backends.find(backend_identity(old, b)))
      out.push_back({.backend_slot = *slot});
  }
  return out;
}

std::vector<std::string> desired_state::update_source(const std::string& source, source_update u) {
  source_plan p = sources_.plan(source, applied_.services, std::move(u));
  std::vector<std::string> problems = std::move(p.left_out);
  const std::size_t changed = p.deltas.size();
  if (changed != 0) {
    try {
      int64_t us = 0;
      if (changed <= k_few_changes) {
        us = apply_each(std::move(p.deltas));
      } else {
        // Many (initial sync, relist): the same deltas folded into one compile.
        config next = applied_;
        sort_for_apply(p.deltas);
        for (service_delta& d : p.deltas) apply_delta(next, std::move(d));
        us = apply(std::move(next));
      }
      sources_.settle(source, p, applied_.services);
      log::info("msg=\"services applied\" source={} changed={} services={} generation={} "
                "publish_us={}",
                source, changed, sources_.owned_count(source), generation_, us);
    } catch (const compile_error& e) {
      // Deltas applied before the refusal stay: they were each valid; ownership must match.
      sources_.settle(source, p, applied_.services);
      problems.push_back(std::string("refused: ") + e.what());
    }
  }
  if (!problems.empty())
    log::warn("msg=\"services from {} not all applied\" problems=\"{}\"", source, joined(problems));
  return problems;
}

void desired_state::recompile_for_health(const std::string& service_name) {
  const auto start = clock::now();
  const auto it = std::find_if(applied_.services.begin(), applied_.services.end(),
                               [&](const service_config& s) { return s.name == service_name; });
  if (it == applied_.services.end()) return;
  const std::size_t index = std::size_t(it - applied_.services.begin());
  try {
    publish(recompile_service(publisher_.latest(), applied_,
                              {.kind = service_change::op::replaced, .index = index, .old = &*it},
                              slots_, generation_ + 1, &health_.down()),
            start);
  } catch (const compile_error& e) {
    // Same service, same slots: nothing to acquire. Should it happen, the last snapshot stays.
    log::error("msg=\"health recompile refused\" service={} reason=\"{}\"", it->name, e.what());
  }
}

void desired_state::flush_due_drains(clock::time_point now) {
  for (const drain_schedule::drain& d : drains_.take_due(now)) {
    if (commands_ == nullptr) continue;
    const flow_request_result r =
        ask_workers(*commands_, flow_command::op::flush, d.filter, 0, std::chrono::seconds(5));
    log::info("msg=\"drain ended\" backend=\"{}\" flows_flushed={} answered={}", d.identity,
              r.matched, r.answered);
  }
}

} // namespace sluice
