// The worker's side of the control plane's flow requests (flow_command.hpp).

#include "dataplane/worker/worker.hpp"

#include <algorithm>

namespace sluice {

void worker::serve_flow_command() noexcept {
  if (command_ == nullptr) {
    void* next = nullptr;
    if (rte_ring_sc_dequeue(command_ring_, &next) != 0) return;
    command_ = static_cast<flow_command*>(next);
  }
  flow_command& c = *command_;
  const uint32_t end = std::min(st_.flows.capacity(), c.next_slot + k_command_budget);
  unsigned flushed = 0;
  for (uint32_t i = c.next_slot; i < end; ++i) {
    flow& f = st_.flows.at(i);
    if (f.state == flow_state::free || !c.filter.matches(f)) continue;
    if (c.kind == flow_command::op::flush) {
      st_.ledger.ends(f);
      st_.flows.erase(i);
      ++flushed;
    } else if (c.matched < c.capacity) {
      const uint64_t idle = st_.now > f.last_seen ? st_.now - f.last_seen : 0;
      const uint64_t timeout = st_.flows.timeout_tsc(f.state);
      c.rows[c.matched] = {.record = f,
                           .expires_in_ms =
                               uint32_t(timeout > idle ? (timeout - idle) * 1000 / st_.tsc_hz : 0)};
    }
    ++c.matched;
  }
  if (flushed) st_.ledger.flushed(flushed);
  c.next_slot = end;
  if (end == st_.flows.capacity()) {
    // Everything the control plane reads was written above: release pairs with its acquire.
    c.done.store(true, std::memory_order_release);
    command_ = nullptr;
  }
}

} // namespace sluice
