#include "control/health/health_state.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice::health {
namespace {

probe_target target_of(const service_config& s, const backend_config& b) {
  const health_check_config& c = *s.health_check;
  return {.key = backend_identity(s, b),
          .addr = b.addr,
          .port = c.port != 0 ? c.port : ntohs(b.port),
          .check = c};
}

} // namespace

void health_table::add(const service_config& s, const backend_config& b) {
  probe_target t = target_of(s, b);
  auto it = entries_.find(t.key);
  if (it == entries_.end()) {
    const std::string key = t.key;
    backend_health h{.target = t,
                     .service = s.name,
                     .backend = format_ipv4(b.addr) + ":" + std::to_string(ntohs(b.port)),
                     .counter = rise_fall(t.check.rise, t.check.fall)};
    entries_.emplace(key, std::move(h));
    pending_[key] = std::move(t);
    return;
  }
  backend_health& h = it->second;
  h.service = s.name;
  if (!(h.target == t)) {
    h.counter.set_thresholds(t.check.rise, t.check.fall);
    h.target = t;
    pending_[t.key] = std::move(t); // the prober replaces a target it already runs
  }
}

void health_table::remove(const std::string& key) {
  if (entries_.erase(key) == 0) return;
  down_.erase(key);
  pending_[key] = std::nullopt;
}

void health_table::sync(std::span<const service_config> services) {
  std::unordered_set<std::string> live;
  for (const service_config& s : services) {
    if (!s.health_check) continue;
    for (const backend_config& b : s.backends) {
      add(s, b);
      live.insert(backend_identity(s, b));
    }
  }
  std::vector<std::string> gone;
  for (const auto& [key, h] : entries_)
    if (!live.contains(key)) gone.push_back(key);
  for (const std::string& key : gone) remove(key);
}

void health_table::sync_service(const service_config* old, const service_config* now) {
  std::unordered_set<std::string> live;
  if (now != nullptr && now->health_check)
    for (const backend_config& b : now->backends) {
      add(*now, b);
      live.insert(backend_identity(*now, b));
    }
  if (old != nullptr)
    for (const backend_config& b : old->backends)
      if (const std::string key = backend_identity(*old, b); !live.contains(key)) remove(key);
}

health_table::changes health_table::take_changes() {
  changes out;
  for (auto& [key, target] : pending_)
    if (target)
      out.added.push_back(std::move(*target));
    else
      out.removed.push_back(key);
  pending_.clear();
  return out;
}

std::optional<transition> health_table::record(const probe_result& r) {
  const auto it = entries_.find(r.key);
  if (it == entries_.end()) return std::nullopt;
  backend_health& h = it->second;
  (r.passed ? h.checks_passed : h.checks_failed)++;
  h.last_detail = r.detail;
  const backend_state from = h.counter.state();
  const auto to = h.counter.record(r.passed);
  if (!to) return std::nullopt;
  ++h.transitions;
  if (*to == backend_state::down)
    down_.insert(r.key);
  else
    down_.erase(r.key);
  return transition{.key = r.key,
                    .service = h.service, .backend = h.backend, .from = from, .to = *to,
                    .detail = r.detail};
}

const backend_health* health_table::find(const std::string& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const backend_health*> health_table::entries() const {
  std::vector<const backend_health*> out;
  out.reserve(entries_.size());
  for (const auto& [key, h] : entries_) out.push_back(&h);
  std::sort(out.begin(), out.end(),
            [](const backend_health* a, const backend_health* b) { return a->target.key < b->target.key; });
  return out;
}

bool eligible(const service_config& s, const backend_config& b, const health_table& t) {
  if (b.weight == 0) return false;
  return !s.health_check || !t.down().contains(backend_identity(s, b));
}

void availability_tracker::update(const service_config& s, const health_table& t,
                                  std::vector<std::pair<std::string, bool>>& changed) {
  const bool now = std::any_of(s.backends.begin(), s.backends.end(),
                               [&](const backend_config& b) { return eligible(s, b, t); });
  const auto [it, inserted] = known_.try_emplace(s.name, now);
  if (inserted || it->second != now) {
    it->second = now;
    changed.emplace_back(s.name, now);
  }
}

void availability_tracker::forget(const std::string& name,
                                  std::vector<std::pair<std::string, bool>>& changed) {
  const auto it = known_.find(name);
  if (it == known_.end()) return;
  if (it->second) changed.emplace_back(name, false);
  known_.erase(it);
}

void availability_tracker::update_all(std::span<const service_config> services,
                                      const health_table& t,
                                      std::vector<std::pair<std::string, bool>>& changed) {
  std::unordered_set<std::string> names;
  for (const service_config& s : services) {
    update(s, t, changed);
    names.insert(s.name);
  }
  std::vector<std::string> gone;
  for (const auto& [name, available] : known_)
    if (!names.contains(name)) gone.push_back(name);
  for (const std::string& n : gone) forget(n, changed);
}

bool availability_tracker::available(const std::string& name) const {
  const auto it = known_.find(name);
  return it != known_.end() && it->second;
}

} // namespace sluice::health
