#include "control/daemon/workers_polling.hpp"

#include <thread>

namespace sluice {
namespace {

std::optional<unsigned> first_idle(std::span<const worker_stats* const> stats) {
  for (unsigned i = 0; i < stats.size(); ++i)
    if (stats[i]->worker.polls.get() == 0) return i;
  return std::nullopt;
}

} // namespace

std::optional<unsigned> wait_workers_polling(std::span<const worker_stats* const> stats,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::optional<unsigned> idle = first_idle(stats);
    if (!idle || std::chrono::steady_clock::now() >= deadline) return idle;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

} // namespace sluice
