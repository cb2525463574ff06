#pragma once
// How an idle worker sleeps (dataplane.idle: adaptive): on an epoll set of its RX queues'
// wake-ups (dataplane/port/rx_wakeup.hpp) with the idle policy's duration as the timeout, or
// plainly for that duration when it has none. Either way it is back within the policy's bound.
// Construction is init-time (throws); wait() is noexcept and does no allocation.

#include <rte_epoll.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/port/rx_wakeup.hpp"

namespace sluice {

class idle_waiter {
public:
  // Throws std::runtime_error when the epoll set cannot be made.
  explicit idle_waiter(const std::vector<rx_wakeup>& wakeups);
  ~idle_waiter();
  idle_waiter(const idle_waiter&) = delete;
  idle_waiter& operator=(const idle_waiter&) = delete;

  // Sleeps for `ns` nanoseconds, or less when a packet reaches a queue with a wake-up.
  void wait(uint64_t ns) noexcept;

  // Queues with a wake-up (the rest are seen when a sleep ends).
  std::size_t watched() const noexcept { return interrupts_.size() + sockets_.size(); }

private:
  struct queue_ref {
    uint16_t port;
    uint16_t queue;
  };
  int epoll_fd_ = -1;
  std::vector<queue_ref> interrupts_; // enabled for each sleep only: a busy port raises none
  // Registered through rte_epoll_ctl() beside the interrupts, so that rte_epoll_wait() can
  // acknowledge those; stable addresses (DPDK keeps pointers to them).
  std::unique_ptr<rte_epoll_event[]> sockets_events_;
  std::vector<int> sockets_;
};

} // namespace sluice
