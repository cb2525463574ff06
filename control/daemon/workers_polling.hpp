#pragma once
// Whether the launched workers really run: each has finished at least one pass of its poll loop
// (its `polls` counter moved), so every RX queue it owns has been read once. sluiced reports
// itself ready to the service manager only then.

#include <chrono>
#include <optional>
#include <span>

#include "dataplane/stats/counters.hpp"

namespace sluice {

// Waits until every worker in `stats` has polled once, checking every millisecond. Returns
// std::nullopt when all have, else the index of the first worker that had not by `timeout`.
std::optional<unsigned> wait_workers_polling(std::span<const worker_stats* const> stats,
                                             std::chrono::milliseconds timeout);

} // namespace sluice
