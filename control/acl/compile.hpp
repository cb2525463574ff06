#pragma once
// Compiles the config's ACL sets into the dataplane's form (dataplane/acl/tables.hpp): one
// rte_acl context and one Hyperscan block-mode database per set, plus each service's list of
// sets. The compiled tables are reused by later snapshots while `acls:` and the worker count are
// unchanged, so a service change never rebuilds 10,000 rules.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/snapshot/slots.hpp"
#include "dataplane/acl/tables.hpp"

namespace sluice {

struct acl_compile_cache {
  std::optional<slot_registry> hit_slots; // created at first use, dataplane.max_acl_rules slots
  std::vector<acl_set_config> compiled_from;
  unsigned workers = 0;
  std::shared_ptr<const acl_tables> tables;
};

// The hit-counter identity of a rule, and of a set's default ("SET/" — rule names are not empty).
std::string acl_hit_identity(const std::string& set, const std::string& rule);

// The ACL part of the snapshot for `c`; null when no set applies to any service (the dataplane
// then does no ACL work at all). Throws compile_error (from control/snapshot/compile.hpp) when
// rte_acl or Hyperscan refuses a set or the rules need more than dataplane.max_acl_rules hit
// counters; `cache` is then unchanged.
std::shared_ptr<const acl_snapshot> compile_acls(const config& c, acl_compile_cache& cache);

} // namespace sluice
