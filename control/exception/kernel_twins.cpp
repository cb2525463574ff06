#include "control/exception/kernel_twins.hpp"

#include <stdexcept>

#include "control/daemon/interfaces.hpp"
#include "control/exception/kernel_netdev.hpp"
#include "control/log/log.hpp"

namespace sluice {

std::string tap_devargs(std::size_t index, const exception_path_config& e,
                        const rte_ether_addr& mac) {
  char text[RTE_ETHER_ADDR_FMT_SIZE];
  rte_ether_format_addr(text, sizeof text, &mac);
  // vdev names only need the driver's name as a prefix; this one cannot collide with a
  // net_tapN an operator uses as an interface device.
  return "net_tap_twin" + std::to_string(index) + ",iface=" + e.tap + ",mac=" + text;
}

std::vector<std::optional<exception_port>> open_kernel_twins(const config& c,
                                                             const std::vector<port_info>& ports,
                                                             unsigned queues, rte_mempool* pool,
                                                             std::vector<uint16_t>& opened) {
  std::vector<std::optional<exception_port>> out(c.interfaces.size());
  bool any = false;
  for (std::size_t i = 0; i < c.interfaces.size(); ++i) {
    const interface_config& iface = c.interfaces[i];
    if (!iface.exception_path) continue;
    const exception_path_config& e = *iface.exception_path;
    try {
      // The tap's packets are never parsed (they leave by the interface as the kernel wrote them).
      const port_info tap =
          open_port(tap_devargs(i, e, ports[i].mac), queues, pool, rx_use::passed_on,
                    idle_rx_interrupts(c));
      opened.push_back(tap.port_id);
      // The kernel twin serves IPv4 only: the dataplane hands it no IPv6 yet.
      if (iface.has_ipv4()) configure_tap(e.tap, iface.addr, iface.prefix_len);
      out[i] = exception_port{.port = tap.port_id, .rate_limit_pps = e.rate_limit_pps};
      log::info("msg=\"exception path up\" interface={} tap={} port={} rate_limit_pps={}",
                iface.name, e.tap, tap.port_id, e.rate_limit_pps);
      any = true;
    } catch (const std::exception& ex) {
      throw std::runtime_error("interfaces." + iface.name + ".exception_path: " + ex.what());
    }
  }
  if (!any) return out;
  for (const interface_config& iface : c.interfaces)
    if (const std::string netdev = devarg(iface.device, "iface"); !netdev.empty()) {
      quiet_kernel_netdev(netdev);
      log::info("msg=\"kernel quieted on a DPDK-owned netdev\" interface={} netdev={}",
                iface.name, netdev);
    }
  return out;
}

} // namespace sluice
