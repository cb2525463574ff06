#pragma once
// `sluicectl trace`: GET /v1/trace's records as text, one block per packet with a line per
// stage that had a say, and the closing summary (drops by reason).

#include <cstdint>
#include <string>
#include <vector>

#include "control/admin/api/trace.hpp"

namespace sluice {

std::string format_trace_entry(const api::trace_entry& e);
// After the last record: how many packets, how many lost, and the drops by reason.
std::string format_trace_summary(const std::vector<api::trace_entry>& shown, uint64_t lost);

} // namespace sluice
