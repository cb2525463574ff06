#include "control/health/controller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "control/health/prober.hpp"
#include "control/log/log.hpp"
#include "control/snapshot/compile.hpp"

namespace sluice::health {

void controller::on_services(std::span<const service_config> services) {
  // The compile before this already matched the synced table: a kept backend keeps its verdict,
  // and a verdict counts only for services that still have a check.
  table_.sync(services);
  availability_.update_all(services, table_, changed_);
}

void controller::on_service(const service_config* old, const service_config* now) {
  table_.sync_service(old, now);
  if (old != nullptr && (now == nullptr || old->name != now->name))
    availability_.forget(old->name, changed_);
  if (now != nullptr) availability_.update(*now, table_, changed_);
}

std::vector<std::string> controller::record(const std::vector<probe_result>& results) {
  std::set<std::string> services;
  for (const probe_result& r : results) {
    std::optional<transition> t = table_.record(r);
    if (!t) continue;
    const backend_health* h = table_.find(t->key);
    const bool leaves = t->to == backend_state::down;
    const std::string line = fmt::format(
        "msg=\"backend {}\" service={} backend={} from={} to={} check={} streak={} detail=\"{}\"",
        leaves ? "down" : "up", t->service, t->backend, name_of(t->from), name_of(t->to),
        h->target.check.kind == health_check_kind::http ? "http" : "tcp", h->counter.streak(),
        t->detail);
    if (leaves) log::warn("{}", line);
    else log::info("{}", line);
    if (in_service(t->from) != in_service(t->to)) {
      services.insert(t->service);
      moved_.push_back(std::move(*t));
    }
  }
  return {services.begin(), services.end()};
}

void controller::on_recompiled(const service_config& s, std::optional<uint32_t> service_slot,
                               clock::time_point now) {
  for (const backend_config& b : s.backends) {
    const std::string key = backend_identity(s, b);
    const bool was_moved = std::any_of(moved_.begin(), moved_.end(),
                                       [&](const transition& t) { return t.key == key; });
    if (!was_moved) continue;
    if (table_.down().contains(key) && service_slot)
      drains_.on_out_of_service(s, b, *service_slot, now);
    else
      drains_.cancel(key);
  }
  availability_.update(s, table_, changed_);
}

void controller::notify() {
  moved_.clear();
  if (prober_ != nullptr) {
    health_table::changes c = table_.take_changes();
    if (!c.added.empty() || !c.removed.empty()) prober_->update(std::move(c));
  }
  const auto changed = std::exchange(changed_, {});
  for (const auto& [name, available] : changed)
    for (const availability_callback& cb : watchers_) cb(name, available);
}

void controller::take_prober(prober* p) {
  prober_ = p;
  notify();
}

void controller::watch(availability_callback cb) {
  for (const auto& [name, available] : availability_.all()) cb(name, available);
  watchers_.push_back(std::move(cb));
}

void controller::flush_due(const command_rings* commands, clock::time_point now) {
  for (const drain_schedule::drain& d : drains_.take_due(now)) {
    // Back in service, or no longer checked, since it was scheduled: its flows stay.
    if (commands == nullptr || !table_.down().contains(d.identity)) continue;
    const flow_request_result r =
        ask_workers(*commands, flow_command::op::flush, d.filter, 0, std::chrono::seconds(5));
    log::info("msg=\"drain ended\" reason=health_check backend=\"{}\" flows_flushed={} "
              "answered={}", d.identity, r.matched, r.answered);
  }
}

} // namespace sluice::health
