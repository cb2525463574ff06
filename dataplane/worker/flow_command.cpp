#include "dataplane/worker/flow_command.hpp"

#include <rte_errno.h>

#include <stdexcept>
#include <string>

namespace sluice {

command_rings::command_rings(unsigned workers, int socket_id) {
  for (unsigned w = 0; w < workers; ++w) {
    const std::string name = "sl_cmd_" + std::to_string(w);
    rte_ring* r = rte_ring_create(name.c_str(), k_ring_size, socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (r == nullptr) {
      for (rte_ring* made : rings_) rte_ring_free(made);
      throw std::runtime_error("command ring " + name + ": " + rte_strerror(rte_errno));
    }
    rings_.push_back(r);
  }
  garps_ = rte_ring_create_elem("sl_garps", sizeof(garp_request), k_garp_ring_size, socket_id,
                                RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (garps_ == nullptr) {
    for (rte_ring* made : rings_) rte_ring_free(made);
    throw std::runtime_error(std::string("garp ring: ") + rte_strerror(rte_errno));
  }
}

command_rings::~command_rings() {
  for (rte_ring* r : rings_) rte_ring_free(r);
  rte_ring_free(garps_);
}

} // namespace sluice
