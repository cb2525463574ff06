#pragma once
// `sluicectl acl list`: GET /v1/acls as a table, one block per set with its rules in evaluation
// order, its default last, and the flows each one decided.

#include <string>

#include "control/admin/api/acls.hpp"

namespace sluice {

std::string format_acls(const api::acl_report& body);

} // namespace sluice
