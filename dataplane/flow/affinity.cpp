#include "dataplane/flow/affinity.hpp"

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
  max_position_ = slots > 0 ? uint32_t(slots - 1) : 0;
  templates_ = static_cast<affinity_template*>(rte_zmalloc_socket(
      "sluice_affinity", sizeof(affinity_template) * size_t(slots), RTE_CACHE_LINE_SIZE, socket_id));
  if (hash_ == nullptr || templates_ == nullptr) {
    rte_hash_free(hash_);
    rte_free(templates_);
    throw std::runtime_error("cannot reserve " + std::to_string(capacity) +
                             " affinity templates for worker " + std::to_string(worker_id));
  }
}

affinity_table::~affinity_table() {
  rte_hash_free(hash_);
  rte_free(templates_);
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
  templates_[pos] = {backend_slot, expires};
  return true;
}

unsigned affinity_table::expire(uint64_t now, unsigned budget) noexcept {
  // Walks key positions, not rte_hash_iterate(): on a sparse table the iterator scans ahead to
  // the next key, which is the whole table when it is empty, so its cost is not bounded.
  unsigned freed = 0;
  for (unsigned i = 0; i < budget; ++i) {
    const int32_t pos = int32_t(cursor_);
    cursor_ = cursor_ == max_position_ ? 0 : cursor_ + 1;
    void* k = nullptr;
    if (rte_hash_get_key_with_position(hash_, pos, &k) != 0) continue;
    if (templates_[pos].expires <= now) {
      rte_hash_del_key(hash_, k);
      ++freed;
    }
  }
  return freed;
}

} // namespace sluice
