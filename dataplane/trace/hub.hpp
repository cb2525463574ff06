#pragma once
// Per-packet tracing between the workers and the control plane. The control plane arms one
// session at a time (a filter, a count, a deadline); each worker reads the armed session once
// per burst — nothing else when none is armed — and copies the records of the packets the
// filter matches into its own single-producer ring, which the control plane drains. A worker
// never blocks or allocates for it: a record that finds its ring full is counted as lost, and
// the session turns itself off when its count is spent or its deadline passes.

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/stats/counters.hpp"
#include "dataplane/trace/filter.hpp"
#include "dataplane/trace/record.hpp"

namespace sluice {

struct trace_session {
  trace_session(const trace_filter& f, uint64_t count, uint64_t deadline)
      : filter(f), deadline_tsc(deadline), remaining(int64_t(count)) {}

  const trace_filter filter;
  const uint64_t deadline_tsc;       // TSC; UINT64_MAX: none
  mutable std::atomic<int64_t> remaining; // records still to write, across workers
  mutable std::atomic<bool> over{false}; // count spent or deadline passed: workers stop looking

  // Whether the session may still record at `now` (sets `over` when not).
  bool live(uint64_t now) const noexcept {
    if (over.load(std::memory_order_relaxed)) return false;
    if (now < deadline_tsc) return true;
    over.store(true, std::memory_order_relaxed);
    return false;
  }
};

class trace_hub {
public:
  static constexpr unsigned k_ring_records = 1024; // an rte_ring of 1024 holds 1023

  // One ring per worker. Throws std::runtime_error when DPDK cannot make one (init time only).
  trace_hub(unsigned workers, int socket_id, rte_rcu_qsbr* qsbr);
  ~trace_hub();
  trace_hub(const trace_hub&) = delete;
  trace_hub& operator=(const trace_hub&) = delete;

  // Worker side, once per burst: the session to record for, or nullptr (the common case).
  // Valid until the worker's next quiescent state.
  const trace_session* armed() const noexcept {
    const trace_session* t = session_.load(std::memory_order_acquire);
    return t != nullptr && !t->over.load(std::memory_order_relaxed) ? t : nullptr;
  }
  // Writes `r` into `worker`'s ring when the session's count allows; false when the count is
  // spent (the session is then over). A full ring loses the record (lost()).
  bool emit(unsigned worker, const trace_session& t, const trace_record& r) noexcept;

  // Control side, from one thread at a time.
  // Arms `t` in place of nothing; false (and `t` untouched) when a session is armed already.
  bool arm(std::unique_ptr<trace_session>& t) noexcept;
  // Disarms the armed session, if any, and frees it once no worker can still read it. Records
  // already in the rings stay for drain().
  void disarm();
  const trace_session* session() const noexcept { return owned_.get(); }
  // Moves every waiting record into `out` (appended); returns how many.
  std::size_t drain(std::vector<trace_record>& out);
  // Records lost to a full ring, all workers, since start.
  uint64_t lost() const noexcept;

private:
  std::vector<rte_ring*> rings_;
  std::unique_ptr<counter[]> lost_; // by worker
  rte_rcu_qsbr* qsbr_;
  std::unique_ptr<trace_session> owned_;
  std::atomic<const trace_session*> session_{nullptr};
};

} // namespace sluice
