// The neighbour layer of the egress: a packet waits in its next hop's entry until its family's
// protocol (ARP for IPv4, Neighbor Discovery for IPv6) resolves it, stale entries are refreshed while still used, and what one
// worker learns every worker learns (through the hand-off mesh's update rings).

#include <rte_ring.h>

#include "dataplane/arp/arp.hpp"
#include "dataplane/egress/egress.hpp"
#include "dataplane/ndp/ndp.hpp"

namespace sluice {
namespace {
void write_ethernet(rte_mbuf* m, const rte_ether_addr& src, const rte_ether_addr& dst) noexcept {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  eth->dst_addr = dst;
  eth->src_addr = src;
}
} // namespace

void egress::to_neighbour(const snapshot& s, neighbour& n, rte_mbuf* m) noexcept {
  switch (n.state) {
  case neigh_state::permanent:
    break;
  case neigh_state::reachable:
    if (now_ - n.confirmed > timers_.reachable && now_ - n.last_probe > timers_.probe_interval)
      solicit(s, n);
    break;
  default: // incomplete: wait for the reply
    if (n.queued == neighbour::k_queue_len) return drop(m, drop_reason::neighbour_queue_full);
    if (n.queued == 0) n.queued_at = now_;
    n.queue[n.queued++] = m;
    if (now_ - n.last_probe > timers_.probe_interval) solicit(s, n);
    return;
  }
  write_ethernet(m, s.ifaces[n.iface].mac, n.mac);
  to_port(n.iface, m);
}

void egress::share_neighbour(const snapshot& s, uint16_t iface, const ip_addr& addr,
                             const rte_ether_addr& mac) noexcept {
  learn_neighbour(s, iface, addr, mac);
  neighbour_update u{.addr = addr, .iface = iface, .mac = mac};
  for (unsigned w = 0; w < workers_; ++w) {
    // A full update ring only delays the other worker: its own ARP retry will resolve.
    if (w != id_) rte_ring_mp_enqueue_elem(mesh_->neighbour_updates(w), &u, sizeof u);
  }
}

void egress::learn_neighbour(const snapshot& s, uint16_t iface, const ip_addr& addr,
                             const rte_ether_addr& mac) noexcept {
  neighbour* n = neighbours_.find_or_create(iface, addr);
  if (n == nullptr || n->state == neigh_state::permanent) return;
  n->mac = mac;
  n->state = neigh_state::reachable;
  n->confirmed = now_;
  for (uint8_t i = 0; i < n->queued; ++i) {
    write_ethernet(n->queue[i], s.ifaces[iface].mac, mac);
    to_port(iface, n->queue[i]);
  }
  n->queued = 0;
}

void egress::solicit(const snapshot& s, neighbour& n) noexcept {
  n.last_probe = now_;
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return; // retried at the next probe interval
  const snapshot_iface& f = s.ifaces[n.iface];
  switch (n.addr.family()) {
  case addr_family::ipv4:
    write_arp_request(reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, k_arp_frame_len)), f.mac,
                      f.addr, n.addr.v4());
    counters_.arp_requests_sent.add();
    break;
  case addr_family::ipv6:
    // Only an interface with an IPv6 address has IPv6 routes, and so IPv6 neighbours.
    if (!f.has_ipv6()) return (void)rte_pktmbuf_free(m);
    write_neighbor_solicitation(
        reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, k_ndp_frame_len)), f.mac,
        f.addr6.data(), n.addr.v6());
    counters_.ndp_solicitations_sent.add();
    break;
  }
  to_port(n.iface, m);
}

void egress::age_neighbours(const snapshot& s) noexcept {
  for (uint32_t i = 0; i < neighbours_.capacity(); ++i) {
    neighbour& n = neighbours_.slot(i);
    if (n.state == neigh_state::reachable &&
        now_ - n.confirmed > timers_.reachable + timers_.grace) {
      n.state = neigh_state::incomplete; // the refresh went unanswered
    } else if (n.state == neigh_state::incomplete && n.queued != 0) {
      if (now_ - n.queued_at > timers_.resolve) {
        counters_.drop(drop_reason::neighbour_unresolved, n.queued);
        rte_pktmbuf_free_bulk(n.queue, n.queued);
        n.queued = 0;
      } else if (now_ - n.last_probe > timers_.probe_interval) {
        solicit(s, n);
      }
    }
  }
}

} // namespace sluice
