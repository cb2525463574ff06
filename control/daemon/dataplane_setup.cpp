#include "control/daemon/dataplane_setup.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dataplane/port/rx_wakeup.hpp"

namespace sluice {
namespace {

// What every worker is given alike (the assembly sets id, socket, mesh and command rings).
worker_setup common_worker_setup(const config& c, const std::vector<port_info>& ports,
                                 const std::vector<std::optional<exception_port>>& exception_ports,
                                 rte_mempool* pool) {
  worker_setup s{.id = 0,
                 .ports = {},
                 .pool = pool,
                 .flow_capacity = c.dataplane.flows_per_worker,
                 .max_half_open = c.dataplane.half_open_limit(),
                 .affinity_capacity = c.dataplane.affinity_templates,
                 .timeouts = c.dataplane.timeouts,
                 .static_neighbours = {},
                 .socket_id = 0,
                 .exception_ports = exception_ports};
  for (const port_info& p : ports) s.ports.push_back(p.port_id);
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

// The wake-ups of RX queue `queue` on every interface port and kernel twin, where they have one.
std::vector<rx_wakeup> queue_wakeups(const config& c, const std::vector<port_info>& ports,
                                     const std::vector<std::optional<exception_port>>& twins,
                                     unsigned queue) {
  std::vector<rx_wakeup> out;
  auto add = [&](uint16_t port, const std::string& device) {
    if (auto w = find_rx_wakeup(port, uint16_t(queue), device)) out.push_back(*w);
  };
  for (std::size_t i = 0; i < ports.size(); ++i) {
    add(ports[i].port_id, c.interfaces[i].device);
    if (i < twins.size() && twins[i]) add(twins[i]->port, "");
  }
  return out;
}

} // namespace

dataplane_setup make_dataplane_setup(const config& c, const std::vector<port_info>& ports,
                                     const std::vector<std::optional<exception_port>>& exception_ports,
                                     rte_mempool* pool, std::vector<unsigned> lcores) {
  const unsigned workers = c.dataplane.workers;
  if (ports.size() != c.interfaces.size())
    throw std::invalid_argument(std::to_string(c.interfaces.size()) + " interfaces but " +
                                std::to_string(ports.size()) + " ports");
  if (lcores.size() != workers)
    throw std::invalid_argument(std::to_string(workers) + " workers but " +
                                std::to_string(lcores.size()) + " lcores");
  const worker_setup common = common_worker_setup(c, ports, exception_ports, pool);
  dataplane_setup out{.workers = std::vector<worker_setup>(workers, common),
                      .lcores = std::move(lcores),
                      .slots = {.services = c.dataplane.max_services,
                                .backends = c.dataplane.max_backends,
                                .acl_rules = c.dataplane.max_acl_rules}};
  if (common.idle.how == idle_setup::mode::adaptive)
    for (unsigned w = 0; w < workers; ++w)
      out.workers[w].idle.wakeups = queue_wakeups(c, ports, exception_ports, w);
  return out;
}

} // namespace sluice
