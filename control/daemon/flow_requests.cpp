#include "control/daemon/flow_requests.hpp"

#include <memory>
#include <thread>

namespace sluice {

flow_request_result ask_workers(const command_rings& rings, flow_command::op kind,
                                const flow_filter& filter, uint32_t limit,
                                std::chrono::milliseconds timeout) {
  struct pending {
    unsigned worker;
    std::unique_ptr<flow_command> command;
    std::unique_ptr<flow_sample[]> rows;
  };
  flow_request_result result;
  std::vector<pending> asked;
  for (unsigned w = 0; w < rings.workers(); ++w) {
    pending p{w, std::make_unique<flow_command>(), nullptr};
    p.command->kind = kind;
    p.command->filter = filter;
    if (kind == flow_command::op::sample) {
      p.rows = std::make_unique<flow_sample[]>(limit);
      p.command->rows = p.rows.get();
      p.command->capacity = limit;
    }
    if (rte_ring_sp_enqueue(rings.of(w), p.command.get()) != 0) {
      result.answered = false; // the worker has k_ring_size requests queued: it is stuck
      continue;
    }
    asked.push_back(std::move(p));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (pending& p : asked) {
    while (!p.command->done.load(std::memory_order_acquire)) {
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!p.command->done.load(std::memory_order_acquire)) {
      result.answered = false;
      (void)p.command.release();
      (void)p.rows.release();
      continue;
    }
    result.matched += p.command->matched;
    const uint32_t copied = std::min(p.command->matched, p.command->capacity);
    for (uint32_t i = 0; i < copied; ++i) result.flows.push_back({p.worker, p.rows[i]});
  }
  return result;
}

} // namespace sluice
