#include "control/daemon/interfaces.hpp"

#include "control/log/log.hpp"
#include "dataplane/net/ipv6.hpp"

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
    if (i.has_ipv6()) {
      // Neighbor Solicitations for the interface's address arrive at its solicited-node group.
      const ipv6_bytes group = solicited_node6(i.addr6.data());
      rte_ether_addr mac;
      multicast_mac6(group.data(), mac.addr_bytes);
      const char* how = accept_multicast(ports.back().port_id, std::span(&mac, 1));
      log::info("msg=\"ipv6 multicast\" interface={} group={} receive={}", i.name,
                format_ipv6(group), how);
    }
  }
  return ports;
}

} // namespace sluice
