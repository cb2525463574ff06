#include "dataplane/flow/affinity.hpp"

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include <stdexcept>
#include <string>

namespace sluice {

affinity_table::affinity_table(unsigned worker_id, uint32_t capacity, int socket_id) {
  const std::string name = "sluice_affinity_" + std::to_string(worker_id);
  rte_hash_parameters params{};
  params.name = name.c_str();
  params.entries = capacity;
  params.key_len = sizeof(key);
  params.hash_func = rte_hash_crc;
  params.socket_id = socket_id;
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  hash_ = rte_hash_create(&params);
  // rte_hash hands out key positions below its real capacity (entries rounded up, plus the
  // per-core cache slack); size the side array by what it reports.
  const int32_t slots = hash_ != nullptr ? rte_hash_max_key_id(hash_) + 1 : 0;
  templates_ = static_cast<affinity_template*>(rte_zmalloc_socket(
      "sluice_affinity", sizeof(affinity_template) * size_t(slots), RTE_CACHE_LINE_SIZE, socket_id));
  // Persistence timeouts run to hours (Kubernetes' default is 10800 s); the flows' horizon keeps
  // the heads small and re-arms a long template a few times in its life.
  const timer_geometry g = timer_geometry::covering(rte_get_tsc_hz(), k_wheel_horizon_seconds);
  links_ = static_cast<timer_link*>(rte_malloc_socket(
      "sluice_affinity_wheel", sizeof(timer_link) * g.links_for(uint32_t(slots)),
      RTE_CACHE_LINE_SIZE, socket_id));
  if (hash_ == nullptr || templates_ == nullptr || links_ == nullptr) {
    rte_hash_free(hash_);
    rte_free(templates_);
    rte_free(links_);
    throw std::runtime_error("cannot reserve " + std::to_string(capacity) +
                             " affinity templates for worker " + std::to_string(worker_id));
  }
  wheel_.emplace(links_, uint32_t(slots), g, rte_rdtsc());
}

affinity_table::~affinity_table() {
  rte_hash_free(hash_);
  rte_free(templates_);
  rte_free(links_);
}

std::optional<uint32_t> affinity_table::backend_slot(uint32_t client_addr, uint32_t service_slot,
                                                     uint64_t now) const noexcept {
  const key k{client_addr, service_slot};
  const int32_t pos = rte_hash_lookup(hash_, &k);
  if (pos < 0 || templates_[pos].expires <= now) return std::nullopt;
  return templates_[pos].backend_slot;
}

bool affinity_table::remember(uint32_t client_addr, uint32_t service_slot, uint32_t backend_slot,
                              uint64_t expires) noexcept {
  const key k{client_addr, service_slot};
  const int32_t pos = rte_hash_add_key(hash_, &k);
  if (pos < 0) return false;
  affinity_template& t = templates_[pos];
  // Every live template is armed, so an unarmed position is a new key. A later deadline is
  // found lazily; an earlier one (a shorter persistence after a reload) must move the timer.
  if (!wheel_->armed(uint32_t(pos)) || expires < t.expires) wheel_->rearm(uint32_t(pos), expires);
  t = {backend_slot, expires};
  return true;
}

unsigned affinity_table::expire(uint64_t now, unsigned budget) noexcept {
  return wheel_->advance(now, budget, [&](uint32_t pos) -> std::optional<uint64_t> {
    const uint64_t expires = templates_[pos].expires;
    if (expires > now) return expires;
    void* k = nullptr;
    if (rte_hash_get_key_with_position(hash_, int32_t(pos), &k) == 0) rte_hash_del_key(hash_, k);
    return std::nullopt;
  });
}

} // namespace sluice
