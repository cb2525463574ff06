#include "control/acl/view.hpp"

#include "control/acl/effective.hpp"
#include "dataplane/acl/tables.hpp"

namespace sluice {
namespace {

uint64_t sum(std::span<const worker_stats* const> workers, uint32_t slot) {
  uint64_t n = 0;
  for (const worker_stats* w : workers)
    if (slot < w->acl_slot_count) n += w->acl_hits[slot].get();
  return n;
}

} // namespace

std::vector<acl_hit_row> acl_hit_rows(const config& applied, const snapshot& snap,
                                      std::span<const worker_stats* const> workers) {
  std::vector<acl_hit_row> rows;
  // The tables were compiled from these sets, set for set and rule for rule.
  const std::vector<acl_set_config> sets = effective_acl_sets(applied);
  const acl_tables* t = snap.acl ? snap.acl->tables.get() : nullptr;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const acl_set_config& sc = sets[i];
    const acl_set* set = t != nullptr && i < t->sets.size() ? &t->sets[i] : nullptr;
    for (std::size_t r = 0; r < sc.rules.size(); ++r) {
      const uint32_t slot = set ? t->rules[set->first_rule + r].hit_slot : UINT32_MAX;
      rows.push_back({sc.name, sc.rules[r].name, sc.rules[r].action, sc.rules[r].reply,
                      set ? sum(workers, slot) : 0, slot});
    }
    const uint32_t slot = set ? set->default_hit_slot : UINT32_MAX;
    rows.push_back({sc.name, k_acl_default_rule, sc.default_action, acl_reply::none,
                    set ? sum(workers, slot) : 0, slot});
  }
  return rows;
}

std::map<uint32_t, std::string> acl_rule_names(const config& applied, const snapshot& snap) {
  std::map<uint32_t, std::string> names;
  for (const acl_hit_row& row : acl_hit_rows(applied, snap, {}))
    if (row.slot != UINT32_MAX) names.emplace(row.slot, row.set + "/" + row.rule);
  return names;
}

api::acl_report acls_view(const config& applied, const snapshot& snap,
                          std::span<const worker_stats* const> workers) {
  const std::vector<acl_hit_row> rows = acl_hit_rows(applied, snap, workers);
  api::acl_report report{.global_acls = applied.global_acls};
  std::size_t row = 0;
  for (const acl_set_config& sc : effective_acl_sets(applied)) {
    api::acl_set_report& set = report.acls.emplace_back(
        api::acl_set_report{.name = sc.name, .default_action = std::string(name_of(sc.default_action))});
    for (const acl_rule_config& rc : sc.rules)
      set.rules.push_back({.name = rc.name,
                           .action = std::string(name_of(rc.action)),
                           .reply = std::string(name_of(rc.reply)),
                           .payload = !rc.payload.empty(),
                           .hits = rows[row++].hits});
    set.default_hits = rows[row++].hits;
  }
  for (const service_config& s : applied.services)
    if (!s.acls.empty() || !s.allowed_sources.empty()) {
      // The service's own sets: the global ones are listed once, under global_acls.
      std::vector<std::string> own = effective_acl_refs(applied, s);
      own.erase(own.begin(), own.begin() + std::ptrdiff_t(applied.global_acls.size()));
      report.services[s.name] = std::move(own);
    }
  return report;
}

} // namespace sluice
