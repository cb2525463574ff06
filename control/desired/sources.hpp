#pragma once
// Service sources: the services that come from somewhere other than the config file (today the
// Kubernetes sync), each owned by its source by name. A source's update — its whole set, or
// services added, changed and removed — becomes per-service deltas against the desired state,
// with one rule for clashes: a source's service whose name, or address + port + protocol, is
// taken by a service it does not own is left out. The file's reload keeps the sources' services
// under the same rule, the file winning. Pure bookkeeping: nothing here compiles or publishes.

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "control/config/change.hpp"
#include "control/config/model.hpp"

namespace sluice {

// What a source reports: its whole set (`whole`, then `removed` is empty), or the services it
// added or changed (`upserts`, by name) and the names it removed.
struct source_update {
  bool whole = false;
  std::vector<service_config> upserts;
  std::vector<std::string> removed;
};

struct source_plan {
  // Against the applied services as they are now; apply them in apply_order().
  std::vector<service_delta> deltas;
  std::set<std::string> arriving; // names the source will own once its deltas are applied
  std::vector<std::string> left_out; // "NAME: ... already taken ...; left out" each
};

class service_sources {
public:
  // The deltas that make `applied` hold `u` for `source`. Costs one pass over `applied`; only
  // the services the update names (all of the source's, for a whole set) are compared.
  source_plan plan(const std::string& source, const std::vector<service_config>& applied,
                   source_update u) const;
  // After the plan's deltas were applied (all, or those before a refusal): the source owns the
  // services of `applied` it owned before or that the plan brought.
  void settle(const std::string& source, const source_plan& p,
              const std::vector<service_config>& applied);
  std::size_t owned_count(const std::string& source) const;

  // For a reload: every source's services in `applied` that do not clash with the file's
  // `services`, appended to them; the ones that do are described in `left_out` and given up.
  void keep_beside_file(std::vector<service_config>& services,
                        const std::vector<service_config>& applied,
                        std::vector<std::string>& left_out);

private:
  std::map<std::string, std::set<std::string>> owned_; // source → names of its services
};

// Replacements first (no index has moved yet), then removals from the highest index down (each
// leaves the lower ones where they were), then additions (appended): each delta's index stays
// valid when they are applied in this order.
void sort_for_apply(std::vector<service_delta>& deltas);

} // namespace sluice
