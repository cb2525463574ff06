#pragma once
// The only bridge from control to the workers: an atomic pointer to the current snapshot plus an
// rte_rcu_qsbr variable. Workers load the pointer once per loop and report a quiescent state at
// the end of each loop; publish() swaps the pointer and frees the old snapshot only after every
// registered worker has passed a quiescent state, so no worker can still be reading it.

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <memory>

#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

class snapshot_publisher {
public:
  // Allocates the QSBR variable for `max_workers` worker threads (ids 0..max_workers-1).
  // Throws std::runtime_error when DPDK cannot allocate it (init time only).
  explicit snapshot_publisher(unsigned max_workers);
  ~snapshot_publisher();
  snapshot_publisher(const snapshot_publisher&) = delete;
  snapshot_publisher& operator=(const snapshot_publisher&) = delete;

  // Control side. Blocks until no worker can hold the previous snapshot, then frees it.
  void publish(std::unique_ptr<const snapshot> next);

  // Worker side. Valid until the caller's next quiescent() report.
  const snapshot* current() const noexcept { return current_.load(std::memory_order_acquire); }

  rte_rcu_qsbr* qsbr() const noexcept { return qsbr_; }

  // The snapshot the control plane last published (control side only).
  const snapshot& latest() const noexcept { return *current_.load(std::memory_order_relaxed); }

private:
  rte_rcu_qsbr* qsbr_;
  std::atomic<const snapshot*> current_;
};

// Worker-side registration: online for the lifetime of the object.
class rcu_reader {
public:
  rcu_reader(rte_rcu_qsbr* qsbr, unsigned thread_id) noexcept;
  ~rcu_reader();
  rcu_reader(const rcu_reader&) = delete;
  rcu_reader& operator=(const rcu_reader&) = delete;

  void quiescent() const noexcept { rte_rcu_qsbr_quiescent(qsbr_, id_); }
  // A sleeping worker is offline: publish() does not wait for it. After online() it must load
  // the snapshot pointer afresh before using it.
  void offline() const noexcept { rte_rcu_qsbr_thread_offline(qsbr_, id_); }
  void online() const noexcept { rte_rcu_qsbr_thread_online(qsbr_, id_); }

private:
  rte_rcu_qsbr* qsbr_;
  unsigned id_;
};

} // namespace sluice
