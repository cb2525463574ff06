#pragma once
// The ACL sets the dataplane enforces: the operator's `acls:` plus one implicit set per service
// with `allowed_sources:` (allow those prefixes, deny the rest). Compiling, counting and showing
// ACLs all go through these two functions, so an allow-list is an ordinary set everywhere —
// same rte_acl context, hit counters, metrics and `sluicectl acl list` row.

#include <string>
#include <vector>

#include "control/config/model.hpp"

namespace sluice {

// "<service>:allowed_sources". Its one rule is named "allowed"; its default is deny.
std::string allowed_sources_set_name(const std::string& service);

// c.acls, then the implicit set of every service with allowed_sources, in service order.
std::vector<acl_set_config> effective_acl_sets(const config& c);

// The sets a flow to `s` passes, in evaluation order: global_acls, the service's implicit
// allow-list, then its own acls.
std::vector<std::string> effective_acl_refs(const config& c, const service_config& s);

} // namespace sluice
