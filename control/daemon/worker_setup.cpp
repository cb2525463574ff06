#include "control/daemon/worker_setup.hpp"

#include <algorithm>

namespace sluice {

worker_setup make_worker_setup(const config& c, unsigned worker_id,
                               std::vector<uint16_t> port_ids, rte_mempool* pool, int socket_id) {
  worker_setup s{.id = worker_id,
                 .ports = std::move(port_ids),
                 .pool = pool,
                 .flow_capacity = c.dataplane.flows_per_worker,
                 .affinity_capacity = c.dataplane.affinity_templates,
                 .timeouts = c.dataplane.timeouts,
                 .static_neighbours = {},
                 .socket_id = socket_id};
  s.idle.how = c.dataplane.idle == idle_mode::adaptive ? idle_setup::mode::adaptive
                                                       : idle_setup::mode::poll;
  s.idle.spin_us = c.dataplane.idle_spin_us;
  s.idle.max_sleep_us = c.dataplane.idle_max_sleep_us;
  for (std::size_t i = 0; i < c.interfaces.size(); ++i)
    for (const neighbor_config& n : c.interfaces[i].neighbors) {
      static_neighbour sn{.iface = uint16_t(i), .addr = n.addr, .mac = {}};
      std::copy(n.mac.begin(), n.mac.end(), sn.mac.addr_bytes);
      s.static_neighbours.push_back(sn);
    }
  return s;
}

} // namespace sluice
