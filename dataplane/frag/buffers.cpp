#include "dataplane/frag/buffers.hpp"

#include <rte_errno.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace sluice {

frag_buffer_pool::frag_buffer_pool(unsigned worker_id, uint32_t buffers, int socket_id) {
  // Registering the same field again returns its offset, so every worker gets the same one.
  static const rte_mbuf_dynfield k_largest{.name = "sluice_frag_largest",
                                           .size = sizeof(uint16_t),
                                           .align = alignof(uint16_t),
                                           .flags = 0};
  largest_at_ = rte_mbuf_dynfield_register(&k_largest);
  if (largest_at_ < 0)
    throw std::runtime_error("cannot register the reassembly mbuf field: " +
                             std::string(rte_strerror(rte_errno)));
  // Pool names are process-wide: a sequence number keeps workers of successive dataplanes (tests
  // build many) apart.
  static std::atomic<unsigned> sequence{0};
  const std::string name =
      "sl_frag_" + std::to_string(worker_id) + "_" + std::to_string(sequence++);
  pool_ = rte_pktmbuf_pool_create(name.c_str(), buffers, 0, 0, uint16_t(k_data_room), socket_id);
  if (pool_ == nullptr)
    throw std::runtime_error("cannot create " + std::to_string(buffers) +
                             " reassembly buffers of 64 KiB for worker " +
                             std::to_string(worker_id));
}

frag_buffer_pool::~frag_buffer_pool() { rte_mempool_free(pool_); }

} // namespace sluice
