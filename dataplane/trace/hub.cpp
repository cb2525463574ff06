#include "dataplane/trace/hub.hpp"

#include <rte_errno.h>

#include <stdexcept>
#include <string>

namespace sluice {

trace_hub::trace_hub(unsigned workers, int socket_id, rte_rcu_qsbr* qsbr)
    : lost_(std::make_unique<counter[]>(workers)), qsbr_(qsbr) {
  for (unsigned w = 0; w < workers; ++w) {
    const std::string name = "sl_trace_" + std::to_string(w);
    rte_ring* r = rte_ring_create_elem(name.c_str(), sizeof(trace_record), k_ring_records,
                                       socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (r == nullptr) {
      for (rte_ring* made : rings_) rte_ring_free(made);
      throw std::runtime_error("trace ring " + name + ": " + rte_strerror(rte_errno));
    }
    rings_.push_back(r);
  }
}

trace_hub::~trace_hub() {
  for (rte_ring* r : rings_) rte_ring_free(r);
}

bool trace_hub::emit(unsigned worker, const trace_session& t, const trace_record& r) noexcept {
  // Relaxed: the count only has to be spent exactly once across workers, not ordered with
  // anything else. The record that spends the last of it still goes out.
  const int64_t left = t.remaining.fetch_sub(1, std::memory_order_relaxed);
  if (left <= 1) t.over.store(true, std::memory_order_relaxed);
  if (left <= 0) return false;
  // DPDK takes the source as void* though it only reads it.
  if (rte_ring_sp_enqueue_elem(rings_[worker], const_cast<trace_record*>(&r), sizeof(r)) != 0) lost_[worker].add();
  return true;
}

bool trace_hub::arm(std::unique_ptr<trace_session>& t) noexcept {
  if (owned_ != nullptr) return false;
  owned_ = std::move(t);
  session_.store(owned_.get(), std::memory_order_release);
  return true;
}

void trace_hub::disarm() {
  if (owned_ == nullptr) return;
  session_.store(nullptr, std::memory_order_release);
  // A worker that loaded the pointer uses it until its next quiescent state (once per loop).
  if (qsbr_ != nullptr) rte_rcu_qsbr_synchronize(qsbr_, RTE_QSBR_THRID_INVALID);
  owned_.reset();
}

std::size_t trace_hub::drain(std::vector<trace_record>& out) {
  std::size_t n = 0;
  for (rte_ring* r : rings_) {
    trace_record batch[64];
    unsigned got;
    while ((got = rte_ring_sc_dequeue_burst_elem(r, batch, sizeof(trace_record), 64, nullptr)) != 0) {
      out.insert(out.end(), batch, batch + got);
      n += got;
    }
  }
  return n;
}

uint64_t trace_hub::lost() const noexcept {
  uint64_t n = 0;
  for (std::size_t w = 0; w < rings_.size(); ++w) n += lost_[w].get();
  return n;
}

} // namespace sluice
