#include "control/daemon/interfaces.hpp"

namespace sluice {

rx_interrupts idle_rx_interrupts(const config& c) noexcept {
  return c.dataplane.idle == idle_mode::adaptive ? rx_interrupts::requested : rx_interrupts::off;
}

std::vector<port_info> open_interfaces(const config& c, rte_mempool* pool,
                                       std::vector<uint16_t>& opened) {
  std::vector<port_info> ports;
  for (const interface_config& i : c.interfaces) {
    ports.push_back(
        open_port(i.device, c.dataplane.workers, pool, rx_use::parsed, idle_rx_interrupts(c)));
    opened.push_back(ports.back().port_id);
  }
  return ports;
}

} // namespace sluice
