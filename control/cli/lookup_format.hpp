#pragma once
// `sluicectl lookup`: GET /v1/lookup as text — the live flow if there is one, then what a new
// connection with the same tuple would get.

#include <string>

#include "control/admin/api/lookup.hpp"

namespace sluice {

std::string format_lookup(const api::lookup_reply& body);

} // namespace sluice
