#pragma once
// ACL sets with their hit counters, summed over workers at read time: the admin API's GET
// /v1/acls (admin/api.hpp) and the metrics family sluice_acl_hits_total.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "control/admin/api/acls.hpp"
#include "control/config/model.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

inline constexpr const char* k_acl_default_rule = "(default)"; // a set's default, as a rule label

struct acl_hit_row {
  std::string set;
  std::string rule; // k_acl_default_rule for the set's default
  acl_action action;
  acl_reply reply;
  uint64_t hits; // flows this rule decided, every worker
  uint32_t slot = UINT32_MAX; // its hit counter's slot; UINT32_MAX while nothing is compiled
};

// Every rule of every set of `applied` (the config `snap` was compiled from), in order, each
// set's default last. Hits are 0 while no set applies to any service (nothing compiled).
std::vector<acl_hit_row> acl_hit_rows(const config& applied, const snapshot& snap,
                                      std::span<const worker_stats* const> workers);

// "set/rule" (or "set/(default)") by hit slot, for naming the rule that decided a traced flow.
std::map<uint32_t, std::string> acl_rule_names(const config& applied, const snapshot& snap);

api::acl_report acls_view(const config& applied, const snapshot& snap,
                          std::span<const worker_stats* const> workers);

} // namespace sluice
