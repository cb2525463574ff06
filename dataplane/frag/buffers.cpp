#include "dataplane/frag/buffers.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

namespace sluice {

frag_buffer_pool::frag_buffer_pool(unsigned worker_id, uint32_t buffers, int socket_id) {
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
