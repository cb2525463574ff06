#include "dataplane/worker/handoff.hpp"

#include <rte_mbuf.h>

#include <stdexcept>
#include <string>

namespace sluice {

handoff_mesh::handoff_mesh(unsigned workers, int socket_id)
    : workers_(workers), packets_(workers * workers, nullptr), updates_(workers, nullptr) {
  auto fail = [this](const std::string& what) {
    release();
    throw std::runtime_error("cannot create hand-off ring " + what);
  };
  for (unsigned from = 0; from < workers; ++from)
    for (unsigned to = 0; to < workers; ++to) {
      if (from == to) continue;
      const std::string name = "sluice_ho_" + std::to_string(from) + "_" + std::to_string(to);
      packets_[from * workers + to] =
          rte_ring_create(name.c_str(), k_ring_size, socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (packets_[from * workers + to] == nullptr) fail(name);
    }
  for (unsigned to = 0; to < workers; ++to) {
    const std::string name = "sluice_nu_" + std::to_string(to);
    updates_[to] = rte_ring_create_elem(name.c_str(), sizeof(neighbour_update),
                                        k_update_ring_size, socket_id, RING_F_SC_DEQ);
    if (updates_[to] == nullptr) fail(name);
  }
}

handoff_mesh::~handoff_mesh() { release(); }

void handoff_mesh::drain() const noexcept {
  for (rte_ring* r : packets_) {
    if (r == nullptr) continue;
    void* m = nullptr;
    while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  }
}

void handoff_mesh::release() noexcept {
  drain();
  for (rte_ring* r : packets_) rte_ring_free(r);
  for (rte_ring* r : updates_) rte_ring_free(r);
  packets_.clear();
  updates_.clear();
}

} // namespace sluice
