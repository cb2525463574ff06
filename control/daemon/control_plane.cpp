#include "control/daemon/control_plane.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <utility>

#include "control/acl/view.hpp"
#include "control/announce/eligible_vips.hpp"
#include "control/admin/api.hpp"
#include "control/admin/query.hpp"
#include "control/admin/views.hpp"
#include "control/health/prober.hpp"
#include "dataplane/net/ipv4.hpp"
#include "control/log/log.hpp"

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
  // The compile above already matches the synced table: a kept backend keeps its verdict, and a
  // verdict counts only for services that still have a check.
  health_.sync(applied_.services);
  std::vector<std::pair<std::string, bool>> changed;
  availability_.update_all(applied_.services, health_, changed);
  after_change(std::move(changed));
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

int64_t control_plane::apply(service_delta d) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<service_config>& services = applied_.services;
  const snapshot& prev = publisher_.latest();
  const out_of_service* down = &health_.down();
  std::unique_ptr<snapshot> snap;
  std::vector<std::pair<std::string, bool>> changed;
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
    health_.sync_service(nullptr, &services.back());
    availability_.update(services.back(), health_, changed);
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
    health_.sync_service(&old, &services[d.index]);
    if (old.name != services[d.index].name) availability_.forget(old.name, changed);
    availability_.update(services[d.index], health_, changed);
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
    health_.sync_service(&old, nullptr);
    availability_.forget(old.name, changed);
    break;
  }
  }
  publish(std::move(snap), start);
  after_change(std::move(changed));
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

void control_plane::after_change(std::vector<std::pair<std::string, bool>> changed) {
  if (prober_ != nullptr) {
    health::health_table::changes c = health_.take_changes();
    if (!c.added.empty() || !c.removed.empty()) prober_->update(std::move(c));
  }
  for (const auto& [name, available] : changed)
    for (const health::availability_callback& cb : availability_watchers_) cb(name, available);
}

void control_plane::publish(std::unique_ptr<snapshot> next,
                            std::chrono::steady_clock::time_point start) {
  publisher_.publish(std::move(next));
  ++generation_;
  metrics_.generation = generation_;
  metrics_.publishes++;
  metrics_.publish_seconds_sum +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const l2_schedule::target& t :
       garps_.on_published(publisher_.latest(), applied_.announce.l2, std::chrono::steady_clock::now()))
    log::info("msg=\"announcing by gratuitous ARP\" address={} interface={} count={} interval_ms={}",
              format_ipv4(t.addr), applied_.interfaces.at(t.iface).name,
              applied_.announce.l2->garp_count, applied_.announce.l2->garp_interval_ms);
  send_due_garps();
}

void control_plane::send_due_garps() {
  if (commands_ == nullptr) return; // the workers are not running yet: kept for the first tick
  for (garp_request g : garps_.take_due(std::chrono::steady_clock::now()))
    if (rte_ring_sp_enqueue_elem(commands_->garps(), &g, sizeof g) != 0)
      log::warn("msg=\"gratuitous ARP ring full, one announcement skipped\" address={}",
                format_ipv4(g.addr));
}

namespace {

// The services of `from` not clashing with a service of `taken` (by name, or by address, port
// and protocol); the clashing ones are described in `left_out`.
std::vector<service_config> without_clashes(std::vector<service_config> from,
                                            const std::vector<service_config>& taken,
                                            std::vector<std::string>& left_out) {
  std::set<std::string> names;
  std::set<std::tuple<uint32_t, uint16_t, uint8_t>> keys;
  for (const service_config& t : taken) {
    names.insert(t.name);
    keys.insert({t.vip, t.port, t.proto});
  }
  std::vector<service_config> out;
  for (service_config& s : from) {
    if (names.contains(s.name) || keys.contains({s.vip, s.port, s.proto})) {
      left_out.push_back(s.name + ": name or address, port and protocol already taken by a "
                                  "configured service; left out");
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace

std::vector<std::string> control_plane::replace_source_services(
    const std::string& source, std::vector<service_config> services) {
  std::lock_guard lock(mu_);
  return replace_source_locked(source, std::move(services));
}

std::vector<std::string> control_plane::replace_source_locked(const std::string& source,
                                                              std::vector<service_config> services) {
  std::set<std::string>& owned = sourced_[source];
  std::vector<service_config> others;
  std::map<std::string, std::size_t> mine; // name → index in applied_.services
  for (std::size_t i = 0; i < applied_.services.size(); ++i) {
    if (owned.contains(applied_.services[i].name))
      mine.emplace(applied_.services[i].name, i);
    else
      others.push_back(applied_.services[i]);
  }
  std::vector<std::string> problems;
  services = without_clashes(std::move(services), others, problems);
  std::map<std::string, const service_config*> wanted;
  for (const service_config& s : services) wanted.emplace(s.name, &s);

  // Few changes (the usual watch event): one service recompiled at a time. Many (initial sync,
  // relist): one compile of the whole set.
  std::vector<service_delta> deltas;
  for (const auto& [name, idx] : mine)
    if (auto it = wanted.find(name); it == wanted.end())
      deltas.push_back({.kind = service_delta::op::remove, .index = idx});
    else if (!(*it->second == applied_.services[idx]))
      deltas.push_back({.kind = service_delta::op::replace, .index = idx, .service = *it->second});
  for (const service_config& s : services)
    if (!mine.contains(s.name)) deltas.push_back({.kind = service_delta::op::add, .service = s});
  if (deltas.empty()) return problems;
  const std::set<std::string> previous = owned;
  const std::size_t changed = deltas.size();
  try {
    int64_t us = 0;
    if (changed <= k_few_source_changes) {
      us = apply_deltas(std::move(deltas));
    } else {
      config next = applied_;
      next.services = std::move(others);
      for (service_config& s : services) next.services.push_back(std::move(s));
      us = apply(std::move(next));
    }
    owned.clear();
    for (const auto& [name, s] : wanted) owned.insert(name);
    log::info("msg=\"services applied\" source={} changed={} services={} generation={} "
              "publish_us={}",
              source, changed, owned.size(), generation_, us);
  } catch (const compile_error& e) {
    // Deltas applied before the refusal stay: they were each valid; the owned set must match.
    owned.clear();
    for (const service_config& s : applied_.services)
      if (wanted.contains(s.name) || previous.contains(s.name)) owned.insert(s.name);
    problems.push_back(std::string("refused: ") + e.what());
  }
  if (!problems.empty())
    log::warn("msg=\"services from {} not all applied\" problems=\"{}\"", source, joined(problems));
  return problems;
}

int64_t control_plane::apply_deltas(std::vector<service_delta> deltas) {
  // Replacements first (no index has moved yet), then removals from the highest index
  // down (each leaves the lower ones where they were), then additions (appended).
  auto rank = [](const service_delta& d) {
    return d.kind == service_delta::op::replace ? 0 : d.kind == service_delta::op::remove ? 1 : 2;
  };
  std::stable_sort(deltas.begin(), deltas.end(), [&](const auto& a, const auto& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return rank(a) == 1 && a.index > b.index;
  });
  int64_t us = 0;
  for (service_delta& d : deltas) us += apply(std::move(d));
  return us;
}

std::vector<std::string> control_plane::change_source_services(const std::string& source,
                                                               std::vector<service_config> upserts,
                                                               std::vector<std::string> removed) {
  std::lock_guard lock(mu_);
  std::set<std::string>& owned = sourced_[source];
  if (upserts.size() + removed.size() > k_few_source_changes) {
    // Many (initial sync, relist): the source's whole set again, for one compile.
    std::map<std::string, service_config> wanted;
    for (const service_config& s : applied_.services)
      if (owned.contains(s.name)) wanted.emplace(s.name, s);
    for (const std::string& name : removed) wanted.erase(name);
    for (service_config& s : upserts) wanted.insert_or_assign(s.name, std::move(s));
    std::vector<service_config> all;
    all.reserve(wanted.size());
    for (auto& [name, s] : wanted) all.push_back(std::move(s));
    return replace_source_locked(source, std::move(all));
  }

  // Few: one pass over the applied services finds where the changed ones are and whether an
  // upsert clashes with another source's service; nothing else is copied or compared.
  std::map<std::string, std::size_t> upsert_by_name;
  std::map<std::tuple<uint32_t, uint16_t, uint8_t>, std::size_t> upsert_by_key;
  for (std::size_t i = 0; i < upserts.size(); ++i) {
    upsert_by_name.emplace(upserts[i].name, i);
    upsert_by_key.emplace(std::tuple(upserts[i].vip, upserts[i].port, upserts[i].proto), i);
  }
  const std::set<std::string> gone(removed.begin(), removed.end());
  std::map<std::string, std::size_t> index_of; // the source's changed services → applied index
  std::vector<bool> clashes(upserts.size(), false);
  for (std::size_t i = 0; i < applied_.services.size(); ++i) {
    const service_config& s = applied_.services[i];
    const auto by_name = upsert_by_name.find(s.name);
    const bool named = by_name != upsert_by_name.end() || gone.contains(s.name);
    const auto by_key = upsert_by_key.find(std::tuple(s.vip, s.port, s.proto));
    if (!named && by_key == upsert_by_key.end()) continue;
    if (owned.contains(s.name)) {
      if (named) index_of.emplace(s.name, i);
      continue;
    }
    if (by_name != upsert_by_name.end()) clashes[by_name->second] = true;
    if (by_key != upsert_by_key.end()) clashes[by_key->second] = true;
  }
  std::vector<std::string> problems;
  std::vector<service_delta> deltas;
  std::set<std::string> leaving, arriving;
  for (const std::string& name : gone)
    if (auto it = index_of.find(name); it != index_of.end()) {
      deltas.push_back({.kind = service_delta::op::remove, .index = it->second});
      leaving.insert(name);
    }
  for (std::size_t i = 0; i < upserts.size(); ++i) {
    service_config& s = upserts[i];
    const auto at = index_of.find(s.name);
    if (clashes[i]) {
      problems.push_back(s.name + ": name or address, port and protocol already taken by a "
                                  "configured service; left out");
      if (at != index_of.end()) {
        deltas.push_back({.kind = service_delta::op::remove, .index = at->second});
        leaving.insert(s.name);
      }
    } else if (at == index_of.end()) {
      arriving.insert(s.name);
      deltas.push_back({.kind = service_delta::op::add, .service = std::move(s)});
    } else if (!(applied_.services[at->second] == s)) {
      deltas.push_back({.kind = service_delta::op::replace, .index = at->second, .service = std::move(s)});
    }
  }
  if (!deltas.empty()) {
    try {
      const std::size_t n = deltas.size();
      const int64_t us = apply_deltas(std::move(deltas));
      for (const std::string& name : leaving) owned.erase(name);
      owned.insert(arriving.begin(), arriving.end());
      log::info("msg=\"services applied\" source={} changed={} services={} generation={} "
                "publish_us={}",
                source, n, owned.size(), generation_, us);
    } catch (const compile_error& e) {
      // Deltas applied before the refusal stay: they were each valid; the owned set must match.
      for (const std::string& name : leaving) owned.erase(name);
      for (const service_config& s : applied_.services)
        if (arriving.contains(s.name)) owned.insert(s.name);
      problems.push_back(std::string("refused: ") + e.what());
    }
  }
  if (!problems.empty())
    log::warn("msg=\"services from {} not all applied\" problems=\"{}\"", source, joined(problems));
  return problems;
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
    if (!(r.cfg->kubernetes == applied_.kubernetes))
      problems.push_back(path_ + ": kubernetes: changed; restart sluiced to apply");
    if (!(r.cfg->address_pools == applied_.address_pools))
      problems.push_back(path_ + ": address_pools: changed; restart sluiced to apply");
    // announce.l2 applies at reload (the next publication announces by its rules).
    if (!(r.cfg->announce.bgp == applied_.announce.bgp))
      problems.push_back(path_ + ": announce.bgp: changed; restart sluiced to apply");
  }
  if (problems.empty()) {
    // Services of other sources (Kubernetes) stay beside the file's, unless the file now
    // claims their name or address.
    std::vector<service_config> kept;
    for (const service_config& s : applied_.services)
      for (const auto& [source, names] : sourced_)
        if (names.contains(s.name)) kept.push_back(s);
    std::vector<std::string> left_out;
    for (service_config& s : without_clashes(std::move(kept), r.cfg->services, left_out))
      r.cfg->services.push_back(std::move(s));
    for (const std::string& l : left_out)
      log::warn("msg=\"service of another source left out by the file\" problem=\"{}\"", l);
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
  const nlohmann::json request = nlohmann::json::parse(body, nullptr, false);
  const bool flush = request.is_object() && request.contains("flush") && request["flush"] == true;
  if (plan.delta && request.is_object() && request.contains("flush")) {
    if (!request["flush"].is_boolean()) {
      plan.status = 422;
      plan.errors.push_back("flush: must be true or false (got " + request["flush"].dump() + ")");
    } else if (flush && kind != change_kind::delete_service && kind != change_kind::delete_backend) {
      plan.status = 422;
      plan.errors.push_back("flush: only a service or backend deletion flushes flows");
    } else if (flush && commands_ == nullptr) {
      plan.status = 503;
      plan.errors.push_back("flush: this sluiced has no workers that take flow requests");
    }
    if (plan.status != 200) plan.delta.reset();
  }
  if (plan.delta) {
    try {
      const std::vector<flow_filter> flushed = flush ? removed_by(*plan.delta) : std::vector<flow_filter>{};
      const int64_t us = apply(std::move(*plan.delta));
      metrics_.api_changes_applied++;
      ++runtime_changes_;
      // The new snapshot is published first, so no worker opens a flow to what is flushed.
      uint64_t flows_flushed = 0;
      bool answered = true;
      for (const flow_filter& f : flushed) {
        const flow_request_result r = ask_workers(*commands_, flow_command::op::flush, f, 0,
                                                  std::chrono::seconds(5));
        flows_flushed += r.matched;
        answered = answered && r.answered;
      }
      log::info("msg=\"change applied\" source=api op={} subject=\"{}\" generation={} "
                "publish_us={} flush={} flows_flushed={} note=\"runtime change: a reload from "
                "the file replaces it\"",
                name_of(kind), plan.subject, generation_, us, flush, flows_flushed);
      nlohmann::json reply{{"result", "applied"}, {"generation", generation_}};
      if (flush) reply["flows_flushed"] = flows_flushed;
      if (!answered) {
        log::error("msg=\"flush unanswered\" subject=\"{}\" note=\"a worker did not finish "
                   "within 5 s\"", plan.subject);
        reply["errors"] = {"flush: a worker did not answer within 5 s; its flows drain instead"};
      }
      return {200, reply.dump()};
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

std::vector<uint32_t> control_plane::eligible_vips() {
  std::lock_guard lock(mu_);
  return sluice::eligible_vips(applied_, &health_);
}

void control_plane::take_prober(health::prober* p) {
  std::lock_guard lock(mu_);
  prober_ = p;
  after_change({});
}

bool control_plane::service_available(const std::string& service_name) {
  std::lock_guard lock(mu_);
  return availability_.available(service_name);
}

void control_plane::watch_availability(health::availability_callback cb) {
  std::lock_guard lock(mu_);
  for (const auto& [name, available] : availability_.all()) cb(name, available);
  availability_watchers_.push_back(std::move(cb));
}

void control_plane::recompile_for_health(std::size_t index) {
  const auto start = std::chrono::steady_clock::now();
  const service_config& s = applied_.services[index];
  try {
    publish(recompile_service(publisher_.latest(), applied_,
                              {.kind = service_change::op::replaced, .index = index, .old = &s},
                              slots_, generation_ + 1, &health_.down()),
            start);
  } catch (const compile_error& e) {
    // Same service, same slots: nothing to acquire. Should it happen, the last snapshot stays.
    log::error("msg=\"health recompile refused\" service={} reason=\"{}\"", s.name, e.what());
  }
}

void control_plane::on_probe_results(const std::vector<health::probe_result>& results) {
  std::lock_guard lock(mu_);
  std::vector<health::transition> moved; // in or out of scheduling
  for (const health::probe_result& r : results) {
    std::optional<health::transition> t = health_.record(r);
    if (!t) continue;
    const health::backend_health* h = health_.find(t->key);
    const bool leaves = t->to == health::backend_state::down;
    const std::string line = fmt::format(
        "msg=\"backend {}\" service={} backend={} from={} to={} check={} streak={} detail=\"{}\"",
        leaves ? "down" : "up", t->service, t->backend, name_of(t->from), name_of(t->to),
        h->target.check.kind == health_check_kind::http ? "http" : "tcp", h->counter.streak(),
        t->detail);
    if (leaves) log::warn("{}", line);
    else log::info("{}", line);
    if (in_service(t->from) != in_service(t->to)) moved.push_back(std::move(*t));
  }
  if (moved.empty()) return;
  std::map<std::string, std::size_t> index;
  for (const health::transition& t : moved) index.emplace(t.service, SIZE_MAX);
  for (std::size_t i = 0; i < applied_.services.size(); ++i)
    if (auto it = index.find(applied_.services[i].name); it != index.end()) it->second = i;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, bool>> changed;
  for (const auto& [name, i] : index) {
    if (i == SIZE_MAX) continue;
    recompile_for_health(i);
    const service_config& s = applied_.services[i];
    const auto service_slot = slots_.services.find(service_identity(s));
    for (const backend_config& b : s.backends) {
      const std::string key = backend_identity(s, b);
      const bool was_moved = std::any_of(moved.begin(), moved.end(),
                                         [&](const health::transition& t) { return t.key == key; });
      if (!was_moved) continue;
      if (health_.down().contains(key) && service_slot)
        health_drains_.on_out_of_service(s, b, *service_slot, now);
      else
        health_drains_.cancel(key);
    }
    availability_.update(s, health_, changed);
  }
  after_change(std::move(changed));
}

void control_plane::note_bgp(std::vector<uint32_t> announced, uint64_t apply_failures) {
  std::lock_guard lock(mu_);
  metrics_.bgp_enabled = true;
  metrics_.bgp_announced = std::move(announced);
  metrics_.bgp_apply_failures = apply_failures;
}

void control_plane::tick() {
  std::lock_guard lock(mu_);
  send_due_garps();
  for (const drain_schedule::drain& d : health_drains_.take_due(std::chrono::steady_clock::now())) {
    // Back in service, or no longer checked, since it was scheduled: its flows stay.
    if (commands_ == nullptr || !health_.down().contains(d.identity)) continue;
    const flow_request_result r =
        ask_workers(*commands_, flow_command::op::flush, d.filter, 0, std::chrono::seconds(5));
    log::info("msg=\"drain ended\" reason=health_check backend=\"{}\" flows_flushed={} "
              "answered={}", d.identity, r.matched, r.answered);
  }
  for (const drain_schedule::drain& d : drains_.take_due(std::chrono::steady_clock::now())) {
    if (commands_ == nullptr) continue;
    const flow_request_result r =
        ask_workers(*commands_, flow_command::op::flush, d.filter, 0, std::chrono::seconds(5));
    log::info("msg=\"drain ended\" backend=\"{}\" flows_flushed={} answered={}", d.identity,
              r.matched, r.answered);
  }
}

void control_plane::take_flow_requests(const command_rings& rings) {
  std::lock_guard lock(mu_);
  commands_ = &rings;
}

std::vector<flow_filter> control_plane::removed_by(const service_delta& d) const {
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

admin_response control_plane::flows(const std::string& target) {
  const request_target t = parse_target(target);
  std::lock_guard lock(mu_);
  if (commands_ == nullptr)
    return error(503, {"flows: this sluiced has no workers that take flow requests"});
  std::vector<std::string> problems;
  for (const auto& [key, value] : t.params)
    if (key != "name" && key != "address" && key != "port" && key != "protocol" &&
        key != "backend" && key != "client" && key != "limit")
      problems.push_back(key + ": unknown parameter (name, address, port, protocol, backend, "
                               "client, limit)");
  auto param = [&](const char* key) -> const std::string* {
    const auto it = t.params.find(key);
    return it == t.params.end() ? nullptr : &it->second;
  };
  flow_filter filter;
  uint32_t limit = 1000;
  if (const std::string* l = param("limit")) {
    const auto v = parse_uint(*l);
    if (!v || *v < 1 || *v > 100000)
      problems.push_back("limit: must be an integer in 1..100000 (got \"" + *l + "\")");
    else
      limit = uint32_t(*v);
  }
  if (const std::string* c = param("client")) {
    const auto addr = parse_ipv4(*c);
    if (!addr) problems.push_back("client: not an IPv4 address: \"" + *c + "\"");
    else filter.client_addr = *addr;
  }
  const service_config* svc = nullptr;
  if (param("name") || param("address")) {
    nlohmann::json sel;
    if (const std::string* n = param("name")) {
      sel["name"] = *n;
    } else {
      sel["address"] = *param("address");
      if (const std::string* p = param("port")) {
        const auto v = parse_uint(*p);
        sel["port"] = v ? nlohmann::json(*v) : nlohmann::json(*p);
      }
      if (const std::string* p = param("protocol")) sel["protocol"] = *p;
    }
    const service_lookup found = lookup_service(applied_, sel.dump());
    if (found.status != 200) return error(found.status, {found.error});
    svc = &applied_.services[found.index];
    filter.service_slot = slots_.services.find(service_identity(*svc)).value_or(flow_filter::k_any);
  }
  if (const std::string* b = param("backend")) {
    const auto colon = b->rfind(':');
    const auto addr = parse_ipv4(b->substr(0, colon));
    const auto port = colon == std::string::npos ? std::optional<uint64_t>(svc ? ntohs(svc->port) : 0)
                                                 : parse_uint(b->substr(colon + 1));
    if (svc == nullptr) {
      problems.push_back("backend: needs the service (name=, or address= and port=)");
    } else if (!addr || !port || *port > 65535) {
      problems.push_back("backend: must be ADDRESS[:PORT] (got \"" + *b + "\")");
    } else {
      const backend_config* found = nullptr;
      for (const backend_config& bc : svc->backends)
        if (bc.addr == *addr && bc.port == htons(uint16_t(*port))) found = &bc;
      if (found == nullptr)
        return error(404, {"backend: service \"" + svc->name + "\" has no backend " + *b});
      filter.backend_slot = slots_.backends.find(backend_identity(*svc, *found)).value_or(flow_filter::k_any);
    }
  }
  if (!problems.empty()) return error(422, problems);
  const flow_request_result r =
      ask_workers(*commands_, flow_command::op::sample, filter, limit, std::chrono::seconds(5));
  if (!r.answered) return error(503, {"flows: a worker did not answer within 5 s"});
  std::map<uint32_t, std::string> names;
  for (const service_config& sc : applied_.services)
    if (const auto slot = slots_.services.find(service_identity(sc))) names[*slot] = sc.name;
  return {200, flows_view(r, names, limit).dump()};
}

admin_response control_plane::handle(const admin_request& req) {
  const std::string& m = req.method;
  if (m == "GET" && parse_target(req.target).path == api::k_flows_path) return flows(req.target);
  if (req.target == api::k_services_path && m == "GET") {
    std::lock_guard lock(mu_);
    return {200, services_view(applied_, publisher_.latest(), stats_, &health_).dump()};
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
  if (req.target == api::k_acls_path && m == "GET") {
    std::lock_guard lock(mu_);
    return {200, acls_view(applied_, publisher_.latest(), stats_).dump()};
  }
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
  return {200, render_metrics(applied_, publisher_.latest(), stats_, metrics_, &health_),
          k_metrics_content_type};
}

} // namespace sluice
