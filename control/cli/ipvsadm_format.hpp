#pragma once
// Renders the admin API's service list the way `ipvsadm -Ln` does (same columns, widths and
// number scaling), so scripts written for ipvsadm read sluicectl unchanged.

#include <nlohmann/json.hpp>

#include <string>

namespace sluice {

enum class list_format { plain, stats };

// `services` is the body of GET /v1/services.
std::string format_ipvsadm(const nlohmann::json& services, list_format format);

} // namespace sluice
