// POST and GET /v1/trace (sluicectl trace): arming a trace session on the workers' hub
// (dataplane/trace/hub.hpp) and handing its records out as they come.

#include <rte_cycles.h>

#include <variant>

#include "control/acl/view.hpp"
#include "control/admin/trace_view.hpp"
#include "control/daemon/control_plane.hpp"

namespace sluice {
namespace {

std::optional<uint64_t> parse_id(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  uint64_t v = 0;
  for (const char ch : *text) {
    if (ch < '0' || ch > '9' || v > UINT64_MAX / 10) return std::nullopt;
    v = v * 10 + uint64_t(ch - '0');
  }
  return v;
}

} // namespace

void control_plane::take_trace(trace_hub& hub) {
  std::lock_guard lock(trace_mu_);
  trace_.hub = &hub;
}

admin_response control_plane::start_trace(const api::trace_request& r) {
  auto filter = trace_filter_from(r);
  if (auto* problems = std::get_if<std::vector<std::string>>(&filter))
    return error_response(422, std::move(*problems));
  const auto now = std::chrono::steady_clock::now();
  end_finished_trace(now);
  std::lock_guard lock(trace_mu_);
  if (trace_.hub == nullptr) return error_response(503, {"trace: the workers are not running"});
  if (trace_.hub->session() != nullptr)
    return error_response(409, {"trace: session " + std::to_string(trace_.id) +
                                " is armed; it ends after its count or time, or " +
                                std::to_string(api::k_trace_abandoned_seconds) +
                                " s after its last read"});
  // What the last session left unread is nobody's now.
  std::vector<trace_record> stale;
  trace_.hub->drain(stale);
  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t start = rte_rdtsc();
  const uint64_t deadline = r.seconds ? start + *r.seconds * hz : UINT64_MAX;
  auto session = std::make_unique<trace_session>(std::get<trace_filter>(filter),
                                                 r.count.value_or(api::k_default_trace_count), deadline);
  trace_.hub->arm(session);
  trace_.id += 1;
  trace_.start_tsc = start;
  trace_.lost_at_start = trace_.hub->lost();
  trace_.deadline = r.seconds ? now + std::chrono::seconds(*r.seconds)
                              : std::chrono::steady_clock::time_point::max();
  trace_.last_read = now;
  return {200, nlohmann::json(api::trace_started{.id = trace_.id}).dump()};
}

admin_response control_plane::read_trace(const api::trace_query& q) {
  const auto id = parse_id(q.id);
  if (!id) return error_response(422, {"id: must be the id POST /v1/trace answered"});
  trace_names names;
  {
    std::lock_guard lock(mu_);
    const config& applied = desired_.applied();
    for (const interface_config& i : applied.interfaces) names.interfaces.push_back(i.name);
    names.acl_rules = acl_rule_names(applied, desired_.published());
  }
  const auto now = std::chrono::steady_clock::now();
  end_finished_trace(now);
  std::lock_guard lock(trace_mu_);
  if (trace_.hub == nullptr) return error_response(503, {"trace: the workers are not running"});
  if (*id != trace_.id || trace_.id == 0)
    return error_response(404, {"id: no trace session " + *q.id + " (the current one is " +
                                std::to_string(trace_.id) + ")"});
  trace_.last_read = now;
  names.start_tsc = trace_.start_tsc;
  names.tsc_hz = rte_get_tsc_hz();
  // Ended before the drain: no record can follow the ones taken now.
  const bool done = trace_.hub->session() == nullptr;
  std::vector<trace_record> records;
  trace_.hub->drain(records);
  // Each worker's ring is in order; across workers, by the workers' common clock.
  std::stable_sort(records.begin(), records.end(),
                   [](const trace_record& a, const trace_record& b) { return a.tsc < b.tsc; });
  api::trace_batch batch{.id = trace_.id, .done = done,
                         .lost = trace_.hub->lost() - trace_.lost_at_start};
  for (const trace_record& r : records) batch.records.push_back(trace_entry_view(r, names));
  return {200, nlohmann::json(batch).dump()};
}

void control_plane::end_finished_trace(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(trace_mu_);
  const trace_session* s = trace_.hub != nullptr ? trace_.hub->session() : nullptr;
  if (s == nullptr) return;
  const bool over = s->over.load(std::memory_order_relaxed) || now >= trace_.deadline ||
                    now - trace_.last_read > std::chrono::seconds(api::k_trace_abandoned_seconds);
  if (over) trace_.hub->disarm();
}

} // namespace sluice
