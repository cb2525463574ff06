#pragma once
// The dataplane put together: the workers and everything they share — the snapshot publisher,
// each worker's counters, the hand-off mesh between workers, the control plane's command rings —
// and the workers' life on their lcores. sluiced, the golden-packet harness and the benchmark rig
// all build their workers here, so a test or a benchmark runs the wiring the daemon runs; they
// differ only in the ports and mbuf pool their worker setups name. Init-time code: errors are
// exceptions, nothing here runs on the packet path.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/worker/setup.hpp"

namespace sluice {

class worker;
class handoff_mesh;
class command_rings;
class trace_hub;

// The counter slots of each worker's stats (dataplane.max_services, max_backends,
// max_acl_rules): the snapshots published on the assembly must fit them.
struct counter_slots {
  uint32_t services;
  uint32_t backends;
  uint32_t acl_rules = worker_stats::k_default_acl_slots;
};

struct dataplane_setup {
  // One per worker, by worker index. The assembly sets each one's `id` (its index: its RX/TX
  // queue on every port and its RCU thread id), `socket_id` (its lcore's), `mesh` and `commands`.
  std::vector<worker_setup> workers;
  // The lcore each worker runs on (launch()) or, polled by hand, is polled from; by worker index.
  std::vector<unsigned> lcores;
  counter_slots slots;
};

class dataplane_assembly {
public:
  // Creates the publisher (no snapshot yet), the workers' counters, the hand-off mesh (with more
  // than one worker), the command rings and trace rings on the calling thread's socket, then
  // the workers.
  // Throws std::invalid_argument for a setup without workers or with an lcore list of another
  // length, std::runtime_error when DPDK cannot make a ring or table.
  explicit dataplane_assembly(dataplane_setup setup);
  // Stops the workers (stop()) before anything they use goes.
  ~dataplane_assembly();
  dataplane_assembly(const dataplane_assembly&) = delete;
  dataplane_assembly& operator=(const dataplane_assembly&) = delete;

  unsigned workers() const noexcept { return unsigned(workers_.size()); }
  // Where the control plane publishes snapshots; one must be published before any worker polls.
  snapshot_publisher& publisher() noexcept { return publisher_; }
  const snapshot_publisher& publisher() const noexcept { return publisher_; }
  // The control plane's rings to the workers: flow requests, gratuitous ARPs for worker 0.
  const command_rings& commands() const noexcept { return *commands_; }
  // Per-packet tracing: the control plane arms sessions here and drains the workers' records.
  trace_hub& trace() noexcept { return *trace_; }
  worker_stats& stats(unsigned index) noexcept { return *stats_[index]; }
  const worker_stats& stats(unsigned index) const noexcept { return *stats_[index]; }
  // Every worker's counters, by worker index, for the control plane to read.
  std::vector<const worker_stats*> stats_view() const;
  // Worker `index` itself, for a harness or a benchmark that polls it by hand instead of
  // launching it (include dataplane/worker/worker.hpp to use it).
  worker& worker_at(unsigned index) noexcept { return *workers_[index]; }
  const worker& worker_at(unsigned index) const noexcept { return *workers_[index]; }
  // Packets waiting in the hand-off rings between workers (0 with one worker).
  unsigned handoff_backlog() const noexcept;

  // Runs each worker on its lcore (EAL worker lcores, idle), looping until stop(). Call once,
  // after the first snapshot is published. Throws std::runtime_error when an lcore cannot take
  // its worker; the workers launched before it run until stop().
  void launch();
  // Tells the launched workers to stop and waits until each has returned; a no-op when none runs.
  void stop() noexcept;

private:
  struct launch_arg {
    worker* w;
    const std::atomic<bool>* stop;
  };
  static int run_worker(void* arg);

  std::vector<unsigned> lcores_;
  snapshot_publisher publisher_;
  std::vector<std::unique_ptr<worker_stats>> stats_;
  std::unique_ptr<handoff_mesh> mesh_;
  std::unique_ptr<command_rings> commands_;
  std::unique_ptr<trace_hub> trace_;
  std::vector<std::unique_ptr<worker>> workers_; // last: destroyed before what they use
  std::atomic<bool> stop_{false};
  std::vector<launch_arg> launch_args_;
  std::vector<unsigned> launched_; // lcores running a worker
};

} // namespace sluice
