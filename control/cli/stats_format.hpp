#pragma once
// Renders GET /v1/stats for `sluicectl stats`: a summary line per worker, every worker counter
// (the list in dataplane/stats/worker_counter_list.hpp, zero or not, so a script finds each
// row whatever the traffic was), then the drop reasons that counted anything.

#include <string>

#include "control/admin/api/stats.hpp"

namespace sluice {

std::string format_stats(const api::stats_report& stats);

} // namespace sluice
