#pragma once
// A worker lcore: polls its RX queue on every port, forwards in bursts through the pipeline's
// stages (dataplane/pipeline/, drawn in dataplane/README.md) and the egress, and owns everything
// it writes: the pipeline's state (flow table, neighbour cache, scheduler cursors, ...) and its
// own loop's (clocks, idle policy, the control plane's requests). It reads the published
// snapshot once per loop and reports an RCU quiescent state at the end of each loop.

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dataplane/flow/table.hpp"
#include "dataplane/pipeline/state.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/worker/burst.hpp"
#include "dataplane/worker/flow_command.hpp"
#include "dataplane/worker/idle_policy.hpp"
#include "dataplane/worker/idle_wait.hpp"
#include "dataplane/worker/setup.hpp"

namespace sluice {

class worker {
public:
  static constexpr unsigned k_burst = sluice::k_burst;
  // Every k_expiry_interval_us, the flow and the affinity timer wheels each do up to
  // k_expire_budget units of work (a due timer examined, or a wheel slot passed): 5.1 million
  // timers per second per table, whatever its size, and nothing read that is not due. A flow
  // goes within a wheel tick (1/32 to 1/16 s) of its deadline while expiries keep below that.
  static constexpr unsigned k_expire_budget = 256;
  static constexpr unsigned k_expiry_interval_us = 50;
  // Flow slots a flush or sample request advances per expiry interval: a million-slot table is
  // walked in about 13 ms, at a few microseconds per step.
  static constexpr unsigned k_command_budget = 4096;

  worker(const worker_setup& setup, const snapshot_publisher& publisher, worker_stats& stats);
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Runs poll_once() until `stop` is set, reporting quiescence after every iteration and, with
  // dataplane.idle: adaptive, resting when idle (rest_if_idle()).
  void run(const std::atomic<bool>& stop) noexcept;

  // After poll_once(), with dataplane.idle: adaptive: asks the idle policy and pauses or sleeps
  // as it says (nothing after a poll that did work). While asleep the worker is offline for
  // `rcu` (if given), so that publishing never waits for it. A no-op with dataplane.idle: poll.
  void rest_if_idle(const rcu_reader* rcu) noexcept {
    if (waiter_ == nullptr) return;
    const idle_step step = idle_.after_poll(worked_, st_.now);
    if (step.action == idle_action::poll) return;
    if (step.action == idle_action::pause) return rte_pause();
    sleep_idle(step.ticks, rcu);
  }

  // One loop iteration without the RCU report: receive a burst from every port, process it,
  // transmit, then do bounded housekeeping. Returns the number of packets received from the
  // ports (hand-offs and the kernel twins' packets are work too, for rest_if_idle()).
  unsigned poll_once() noexcept;

  const flow_table& flows() const noexcept { return st_.flows; }

private:
  // Housekeeping (worker.cpp, flow_commands.cpp, garp.cpp).
  // Takes the next control-plane request when idle and advances it by k_command_budget slots.
  void serve_flow_command() noexcept;
  // Worker 0: sends the gratuitous ARPs the control plane queued, a bounded number per expiry
  // interval.
  void send_garps(const snapshot& s) noexcept;
  static constexpr unsigned k_garp_budget = 16;
  // Sleeps `ticks` (or until a wake-up) offline for `rcu`, counted in the worker's counters.
  void sleep_idle(uint64_t ticks, const rcu_reader* rcu) noexcept;

  const snapshot_publisher& publisher_;
  rte_ring* command_ring_;           // null when the worker takes no requests
  rte_ring* garp_ring_;              // worker 0's: the control plane's garp_requests
  flow_command* command_ = nullptr;  // the request being served
  pipeline_state st_;
  uint64_t expiry_interval_ = st_.tsc_hz * k_expiry_interval_us / 1000000; // TSC
  uint64_t next_expiry_ = 0;
  uint64_t next_neigh_scan_ = 0;

  // A tap is read with a syscall: a busy worker reads it only every k_twin_poll_us.
  static constexpr unsigned k_twin_poll_us = 20;
  uint64_t next_twin_poll_ = 0;

  // dataplane.idle: adaptive (waiter_ is null with poll).
  bool worked_ = false; // the last poll received, handed on or served something
  idle_policy idle_;
  std::unique_ptr<idle_waiter> waiter_;
};

} // namespace sluice
