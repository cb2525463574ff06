#include "control/acl/effective.hpp"

namespace sluice {

std::string allowed_sources_set_name(const std::string& service) {
  return service + ":allowed_sources";
}

std::vector<acl_set_config> effective_acl_sets(const config& c) {
  std::vector<acl_set_config> sets = c.acls;
  for (const service_config& s : c.services) {
    if (s.allowed_sources.empty()) continue;
    sets.push_back({.name = allowed_sources_set_name(s.name),
                    .default_action = acl_action::deny,
                    .rules = {{.name = "allowed",
                               .action = acl_action::allow,
                               .src = s.allowed_sources}}});
  }
  return sets;
}

std::vector<std::string> effective_acl_refs(const config& c, const service_config& s) {
  std::vector<std::string> refs = c.global_acls;
  if (!s.allowed_sources.empty()) refs.push_back(allowed_sources_set_name(s.name));
  refs.insert(refs.end(), s.acls.begin(), s.acls.end());
  return refs;
}

} // namespace sluice
