#include "control/announce/controller.hpp"

#include <rte_ring.h>

#include "control/log/log.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {

void announcement_controller::on_published(const snapshot& snap, const config& applied,
                                           const command_rings* commands) {
  for (const l2_schedule::target& t : garps_.on_published(snap, applied.announce.l2, clock::now()))
    log::info("msg=\"announcing by gratuitous ARP\" address={} interface={} count={} interval_ms={}",
              format_ipv4(t.addr), applied.interfaces.at(t.iface).name,
              applied.announce.l2->garp_count, applied.announce.l2->garp_interval_ms);
  send_due(commands);
}

void announcement_controller::send_due(const command_rings* commands) {
  if (commands == nullptr) return;
  for (garp_request g : garps_.take_due(clock::now()))
    if (rte_ring_sp_enqueue_elem(commands->garps(), &g, sizeof g) != 0)
      log::warn("msg=\"gratuitous ARP ring full, one announcement skipped\" address={}",
                format_ipv4(g.addr));
}

void announcement_controller::note_bgp(std::vector<uint32_t> announced, uint64_t apply_failures) {
  metrics_.bgp_enabled = true;
  metrics_.bgp_announced = std::move(announced);
  metrics_.bgp_apply_failures = apply_failures;
}

} // namespace sluice
