#include "dataplane/snapshot/publisher.hpp"

#include <rte_malloc.h>

#include <stdexcept>

namespace sluice {

snapshot_publisher::snapshot_publisher(unsigned max_workers)
    : qsbr_(nullptr), current_(new snapshot{}) {
  const size_t size = rte_rcu_qsbr_get_memsize(max_workers);
  qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("sluice_qsbr", size, RTE_CACHE_LINE_SIZE));
  if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, max_workers) != 0) {
    rte_free(qsbr_);
    delete current_.load();
    throw std::runtime_error("cannot allocate the RCU QSBR variable");
  }
}

snapshot_publisher::~snapshot_publisher() {
  delete current_.load();
  rte_free(qsbr_);
}

void snapshot_publisher::publish(std::unique_ptr<const snapshot> next) {
  const snapshot* old = current_.exchange(next.release(), std::memory_order_acq_rel);
  // Waits for every online worker to report quiescence after the exchange above.
  rte_rcu_qsbr_synchronize(qsbr_, RTE_QSBR_THRID_INVALID);
  delete old;
}

rcu_reader::rcu_reader(rte_rcu_qsbr* qsbr, unsigned thread_id) noexcept
    : qsbr_(qsbr), id_(thread_id) {
  rte_rcu_qsbr_thread_register(qsbr_, id_);
  rte_rcu_qsbr_thread_online(qsbr_, id_);
}

rcu_reader::~rcu_reader() {
  rte_rcu_qsbr_thread_offline(qsbr_, id_);
  rte_rcu_qsbr_thread_unregister(qsbr_, id_);
}

} // namespace sluice
