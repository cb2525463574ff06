// Setting up and tearing down the egress, and the plain ways out: TX batches, hand-offs to other
// workers, routing to a next hop.

#include "dataplane/egress/egress.hpp"

#include <rte_ethdev.h>

#include <algorithm>

#include "dataplane/port/port.hpp"

namespace sluice {

egress::egress(const worker_setup& setup, unsigned workers, worker_counters& counters,
               const frag_buffer_pool& frags, uint64_t tsc_hz)
    : counters_(counters), frags_(frags), id_(setup.id), workers_(workers), ports_(setup.ports),
      mtu_(setup.ports.size(), k_link_mtu), pool_(setup.pool),
      mesh_(setup.mesh), tx_(setup.ports.size()), neighbours_(setup.neighbour_capacity),
      timers_(neigh_timers::from_hz(tsc_hz)), twins_(setup.ports.size()) {
  smallest_mtu_ = mtu_.empty() ? k_link_mtu : *std::min_element(mtu_.begin(), mtu_.end());
  for (std::size_t i = 0; i < setup.exception_ports.size() && i < ports_.size(); ++i) {
    const auto& e = setup.exception_ports[i];
    if (!e) continue;
    // Each worker enforces its share, so that the interface's total is the configured rate; a
    // burst of at least one RX burst, or a tenth of a second's worth.
    const uint32_t rate = std::max<uint32_t>((e->rate_limit_pps + workers_ - 1) / workers_, 1);
    const uint32_t burst = std::max<uint32_t>(k_burst, rate / 10);
    twins_[i].emplace(kernel_twin{.port = e->port,
                                  .to_kernel = token_bucket(tsc_hz, rate, burst),
                                  .from_kernel = token_bucket(tsc_hz, rate, burst),
                                  .queue = {}});
    any_twin_ = true;
  }
  for (const static_neighbour& sn : setup.static_neighbours) {
    neighbour* n = neighbours_.find_or_create(sn.iface, sn.addr);
    if (n == nullptr) continue;
    n->mac = sn.mac;
    n->state = neigh_state::permanent;
  }
}

egress::~egress() {
  for (tx_queue& q : tx_) rte_pktmbuf_free_bulk(q.pkts, q.count);
  for (auto& t : twins_)
    if (t) rte_pktmbuf_free_bulk(t->queue.pkts, t->queue.count);
  for (uint32_t i = 0; i < neighbours_.capacity(); ++i) {
    neighbour& n = neighbours_.slot(i);
    rte_pktmbuf_free_bulk(n.queue, n.queued);
    n.queued = 0;
  }
}

uint16_t egress::send_queued(uint16_t port, tx_queue& q, drop_reason refused) noexcept {
  const uint16_t sent = rte_eth_tx_burst(port, static_cast<uint16_t>(id_), q.pkts, q.count);
  if (sent < q.count) {
    counters_.drop(refused, q.count - sent);
    rte_pktmbuf_free_bulk(q.pkts + sent, q.count - sent);
  }
  q.count = 0;
  return sent;
}

void egress::drop(rte_mbuf* m, drop_reason r) noexcept {
  counters_.drop(r);
  rte_pktmbuf_free(m);
}

void egress::transmit(uint16_t iface) noexcept {
  counters_.tx_packets.add(send_queued(ports_[iface], tx_[iface], drop_reason::tx_full));
}

void egress::flush() noexcept {
  for (uint16_t iface = 0; iface < tx_.size(); ++iface) {
    if (tx_[iface].count != 0) transmit(iface);
    if (auto& t = twins_[iface]; t && t->queue.count != 0)
      send_queued(t->port, t->queue, drop_reason::exception_tap_full);
  }
}

void egress::to_worker(unsigned owner, uint16_t in_iface, rte_mbuf* m) noexcept {
  // The owner reads the interface from the mbuf (not every PMD sets it on receive).
  m->port = ports_[in_iface];
  if (rte_ring_sp_enqueue(mesh_->packets(id_, owner), m) != 0) {
    drop(m, drop_reason::handoff_full);
  } else {
    counters_.handoff_out.add();
  }
}

void egress::route_out(const snapshot& s, rte_mbuf* m, const ip_addr& dst) noexcept {
  const auto hop = route(s, dst);
  if (!hop) return drop(m, drop_reason::no_route);
  to_next_hop(s, hop->iface, hop->addr, m);
}

void egress::to_next_hop(const snapshot& s, uint16_t iface, const ip_addr& addr,
                         rte_mbuf* m) noexcept {
  if (needs_fragment_path(m, iface)) return fragment_out(s, iface, addr, m);
  neighbour* n = neighbours_.find_or_create(iface, addr);
  if (n == nullptr) return drop(m, drop_reason::neighbour_unresolved);
  to_neighbour(s, *n, m);
}

void egress::on_flow_via(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
                         const next_hop& via) noexcept {
  if (through_kept(s, m, f, dir)) return;
  if (needs_fragment_path(m, via.iface)) return fragment_out(s, via.iface, via.addr, m);
  neighbour* n = neighbours_.find_or_create(via.iface, via.addr);
  if (n == nullptr) return drop(m, drop_reason::neighbour_unresolved);
  if (const uint32_t i = neighbours_.index_of(*n); i < k_unresolved_hop)
    f.next_hop[static_cast<unsigned>(dir)] = uint16_t(i);
  to_neighbour(s, *n, m);
}

void egress::on_flow_first(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
                           route_scope scope) noexcept {
  next_hop hop;
  if (!flow_route(s, f, dir, hop, scope)) return drop(m, drop_reason::no_route);
  on_flow_via(s, m, f, dir, hop);
}

} // namespace sluice
