#pragma once
// `sluicectl acl list`: the body of GET /v1/acls (admin/api.hpp) as a table, one block per set
// with its rules in evaluation order, its default last, and the flows each one decided.

#include <nlohmann/json.hpp>

#include <string>

namespace sluice {

std::string format_acls(const nlohmann::json& body);

} // namespace sluice
