// The worker loop, transmission and the neighbour layer. Packet classification and flow
// forwarding live in forward.cpp.

#include "dataplane/worker/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dataplane/arp/arp.hpp"
#include "dataplane/route/next_hop.hpp"
#include "dataplane/xmit/tun.hpp" // k_link_mtu

namespace sluice {

worker::worker(const worker_setup& setup, const snapshot_publisher& publisher,
               worker_stats& stats)
    : publisher_(publisher), stats_(stats), counters_(stats.worker), id_(setup.id),
      ports_(setup.ports), pool_(setup.pool), mesh_(setup.mesh),
      command_ring_(setup.commands != nullptr ? setup.commands->of(setup.id) : nullptr),
      garp_ring_(setup.commands != nullptr && setup.id == 0 ? setup.commands->garps() : nullptr),
      workers_(setup.mesh != nullptr ? setup.mesh->workers() : 1),
      flows_(setup.id, setup.flow_capacity, setup.socket_id, setup.timeouts),
      affinity_(setup.id, setup.affinity_capacity, setup.socket_id),
      neighbours_(setup.neighbour_capacity), tsc_hz_(rte_get_tsc_hz()), neigh_timers_(neigh_timers::from_hz(rte_get_tsc_hz())),
      sched_(stats.service_slot_count, setup.id), local_endpoints_(setup.id, workers_),
      icmp_limit_(rte_get_tsc_hz()),
      // Room for every slot's datagram plus the completed ones still on their way out.
      frag_pool_(setup.id, setup.reassembly_slots + 2 * k_burst, setup.socket_id),
      frags_(setup.reassembly_slots, frag_buffer_pool::k_max_payload,
             rte_get_tsc_hz() / 1000 * setup.reassembly_timeout_ms),
      frag_buffers_(setup.reassembly_slots, nullptr), tx_(setup.ports.size()) {
  for (uint16_t i = 0; i < ports_.size(); ++i) {
    if (ports_[i] >= iface_of_port_.size()) iface_of_port_.resize(ports_[i] + 1u, 0);
    iface_of_port_[ports_[i]] = i;
  }
  exception_.resize(ports_.size());
  for (std::size_t i = 0; i < setup.exception_ports.size() && i < ports_.size(); ++i) {
    const auto& e = setup.exception_ports[i];
    if (!e) continue;
    // Each worker enforces its share, so that the interface's total is the configured rate; a
    // burst of at least one RX burst, or a tenth of a second's worth.
    const uint32_t rate = std::max<uint32_t>((e->rate_limit_pps + workers_ - 1) / workers_, 1);
    const uint32_t burst = std::max<uint32_t>(k_burst, rate / 10);
    exception_[i].emplace(kernel_twin{.port = e->port,
                                      .to_kernel = token_bucket(tsc_hz_, rate, burst),
                                      .from_kernel = token_bucket(tsc_hz_, rate, burst),
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

worker::~worker() {
  // Reassembly buffers must all be back before frag_pool_ goes: those held for datagrams, and
  // those handed to another worker (the first worker destroyed drains every ring, while every
  // pool still exists). Buffers never reach a NIC (send_via copies or fragments them).
  for (rte_mbuf* b : frag_buffers_) rte_pktmbuf_free(b);
  if (mesh_ != nullptr) mesh_->drain();
  for (tx_queue& q : tx_) rte_pktmbuf_free_bulk(q.pkts, q.count);
  for (auto& t : exception_)
    if (t) rte_pktmbuf_free_bulk(t->queue.pkts, t->queue.count);
  for (uint32_t i = 0; i < neighbours_.capacity(); ++i) {
    neighbour& n = neighbours_.slot(i);
    rte_pktmbuf_free_bulk(n.queue, n.queued);
    n.queued = 0;
  }
}

void worker::run(const std::atomic<bool>& stop) noexcept {
  rcu_reader rcu(publisher_.qsbr(), id_);
  while (!stop.load(std::memory_order_relaxed)) {
    poll_once();
    rcu.quiescent();
  }
}

unsigned worker::poll_once() noexcept {
  const snapshot& s = *publisher_.current();
  now_ = rte_rdtsc();
  unsigned received = 0;
  rte_mbuf* pkts[k_burst];
  for (uint16_t iface = 0; iface < ports_.size(); ++iface) {
    const uint16_t n = rte_eth_rx_burst(ports_[iface], static_cast<uint16_t>(id_), pkts, k_burst);
    if (n == 0) continue;
    received += n;
    if (workers_ == 1)
      process_burst(s, pkts, n, iface);
    else
      steer(s, iface, pkts, n);
  }
  if (workers_ > 1) receive_handoffs(s);
  if (any_twin_ && (received == 0 || now_ >= next_twin_poll_)) {
    poll_kernel_twins();
    next_twin_poll_ = now_ + tsc_hz_ * k_twin_poll_us / 1000000;
  }
  flush_tx();
  counters_.polls.add();
  if (received) {
    counters_.busy_polls.add();
    counters_.rx_packets.add(received);
  }
  if (now_ >= next_expiry_) {
    // Expiry runs on a clock, not every loop: a busy worker pays for it once per interval
    // (a few cycles per packet), an idle one scans no faster than it needs to.
    const unsigned expired =
        flows_.expire(now_, k_expire_budget, [&](const flow& f) { forget_flow(f); });
    if (expired) {
      counters_.flows_expired.add(expired);
      counters_.flows_active.sub(expired);
    }
    affinity_.expire(now_, k_expire_budget);
    if (frags_.in_use() != 0) expire_fragments();
    if (command_ring_ != nullptr) serve_flow_command();
    if (garp_ring_ != nullptr) send_garps(s);
    next_expiry_ = now_ + expiry_interval_;
  }
  if (now_ >= next_neigh_scan_) {
    age_neighbours(s);
    flush_tx();
    // A tenth of the probe interval: waiting packets are dropped at most that late.
    next_neigh_scan_ = now_ + neigh_timers_.probe_interval / 10;
  }
  return received;
}

void worker::forget_flow(const flow& f) noexcept {
  traffic_counters& b = stats_.backends[f.backend_slot];
  (f.state == flow_state::tcp_established ? b.active : b.inactive).sub();
}

void worker::end_reused_flow(uint32_t index) noexcept {
  forget_flow(flows_.at(index));
  flows_.erase(index);
  counters_.flows_active.sub();
}

bool worker::free_reply_tuple(const flow& f, bool opening) noexcept {
  const auto hit = flows_.lookup(f.reply_key());
  if (!hit || hit->dir != flow_dir::reply) return false;
  const flow& holder = flows_.at(hit->index);
  const bool over = now_ >= flows_.deadline(holder) ||
                    (f.proto == IPPROTO_TCP && opening && is_closing(holder.state));
  if (!over) return false;
  end_reused_flow(hit->index);
  return true;
}

void worker::count_flow(const flow& f) noexcept {
  traffic_counters& b = stats_.backends[f.backend_slot];
  (f.state == flow_state::tcp_established ? b.active : b.inactive).add();
}

void worker::drop(rte_mbuf* m, drop_reason r) noexcept {
  counters_.drop(r);
  rte_pktmbuf_free(m);
}

uint16_t worker::send_queued(uint16_t port, tx_queue& q, drop_reason refused) noexcept {
  const uint16_t sent = rte_eth_tx_burst(port, static_cast<uint16_t>(id_), q.pkts, q.count);
  if (sent < q.count) {
    counters_.drop(refused, q.count - sent);
    rte_pktmbuf_free_bulk(q.pkts + sent, q.count - sent);
  }
  q.count = 0;
  return sent;
}

void worker::transmit(uint16_t iface) noexcept {
  counters_.tx_packets.add(send_queued(ports_[iface], tx_[iface], drop_reason::tx_full));
}

void worker::enqueue_tx(uint16_t iface, rte_mbuf* m) noexcept {
  if (tx_[iface].count == k_burst) transmit(iface);
  tx_queue& q = tx_[iface];
  q.pkts[q.count++] = m;
}

void worker::flush_tx() noexcept {
  for (uint16_t iface = 0; iface < tx_.size(); ++iface) {
    if (tx_[iface].count != 0) transmit(iface);
    if (auto& t = exception_[iface]; t && t->queue.count != 0)
      send_queued(t->port, t->queue, drop_reason::exception_tap_full);
  }
}

void worker::route_out(const snapshot& s, rte_mbuf* m, uint32_t dst) noexcept {
  const auto hop = route(s, dst);
  if (!hop) return drop(m, drop_reason::no_route);
  send_via(s, hop->iface, hop->addr, m);
}

namespace {
void write_ethernet(rte_mbuf* m, const rte_ether_addr& src, const rte_ether_addr& dst) noexcept {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  eth->dst_addr = dst;
  eth->src_addr = src;
}
} // namespace

void worker::send_on_flow(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
                          const next_hop& via) noexcept {
  if (send_through_kept(s, m, f, dir)) return;
  if (needs_fragment_path(m)) return send_reassembled(s, via.iface, via.addr, m);
  neighbour* n = neighbours_.find_or_create(via.iface, via.addr);
  if (n == nullptr) return drop(m, drop_reason::neighbour_unresolved);
  if (const uint32_t i = neighbours_.index_of(*n); i < k_unresolved_hop)
    f.next_hop[static_cast<unsigned>(dir)] = uint16_t(i);
  send_to_neighbour(s, *n, m);
}

void worker::route_first_out(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir, uint32_t dst,
                             route_scope scope) noexcept {
  next_hop hop;
  if (!flow_route(s, f, dir, dst, hop, scope)) return drop(m, drop_reason::no_route);
  send_on_flow(s, m, f, dir, hop);
}

void worker::send_via(const snapshot& s, uint16_t iface, uint32_t next_hop, rte_mbuf* m) noexcept {
  if (needs_fragment_path(m)) return send_reassembled(s, iface, next_hop, m);
  neighbour* n = neighbours_.find_or_create(iface, next_hop);
  if (n == nullptr) return drop(m, drop_reason::neighbour_unresolved);
  send_to_neighbour(s, *n, m);
}

void worker::send_to_neighbour(const snapshot& s, neighbour& n, rte_mbuf* m) noexcept {
  switch (n.state) {
  case neigh_state::permanent:
    break;
  case neigh_state::reachable:
    if (now_ - n.confirmed > neigh_timers_.reachable &&
        now_ - n.last_probe > neigh_timers_.probe_interval)
      send_arp_request(s, n.iface, n.addr);
    break;
  default: // incomplete: wait for the reply
    if (n.queued == neighbour::k_queue_len) return drop(m, drop_reason::neighbour_queue_full);
    if (n.queued == 0) n.queued_at = now_;
    n.queue[n.queued++] = m;
    if (now_ - n.last_probe > neigh_timers_.probe_interval) send_arp_request(s, n.iface, n.addr);
    return;
  }
  write_ethernet(m, s.ifaces[n.iface].mac, n.mac);
  enqueue_tx(n.iface, m);
}

void worker::share_neighbour(const snapshot& s, uint16_t iface, uint32_t addr,
                             const rte_ether_addr& mac) noexcept {
  learn_neighbour(s, iface, addr, mac);
  neighbour_update u{.addr = addr, .iface = iface, .mac = mac};
  for (unsigned w = 0; w < workers_; ++w) {
    // A full update ring only delays the other worker: its own ARP retry will resolve.
    if (w != id_) rte_ring_mp_enqueue_elem(mesh_->neighbour_updates(w), &u, sizeof u);
  }
}

void worker::learn_neighbour(const snapshot& s, uint16_t iface, uint32_t addr,
                             const rte_ether_addr& mac) noexcept {
  neighbour* n = neighbours_.find_or_create(iface, addr);
  if (n == nullptr || n->state == neigh_state::permanent) return;
  n->mac = mac;
  n->state = neigh_state::reachable;
  n->confirmed = now_;
  for (uint8_t i = 0; i < n->queued; ++i) {
    write_ethernet(n->queue[i], s.ifaces[iface].mac, mac);
    enqueue_tx(iface, n->queue[i]);
  }
  n->queued = 0;
}

void worker::send_arp_request(const snapshot& s, uint16_t iface, uint32_t target) noexcept {
  neighbour* n = neighbours_.find(iface, target);
  if (n != nullptr) n->last_probe = now_;
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return; // retried at the next probe interval
  auto* frame = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, k_arp_frame_len));
  const snapshot_iface& f = s.ifaces[iface];
  write_arp_request(frame, f.mac, f.addr, target);
  counters_.arp_requests_sent.add();
  enqueue_tx(iface, m);
}

void worker::age_neighbours(const snapshot& s) noexcept {
  for (uint32_t i = 0; i < neighbours_.capacity(); ++i) {
    neighbour& n = neighbours_.slot(i);
    if (n.state == neigh_state::reachable &&
        now_ - n.confirmed > neigh_timers_.reachable + neigh_timers_.grace) {
      n.state = neigh_state::incomplete; // the refresh went unanswered
    } else if (n.state == neigh_state::incomplete && n.queued != 0) {
      if (now_ - n.queued_at > neigh_timers_.resolve) {
        counters_.drop(drop_reason::neighbour_unresolved, n.queued);
        rte_pktmbuf_free_bulk(n.queue, n.queued);
        n.queued = 0;
      } else if (now_ - n.last_probe > neigh_timers_.probe_interval) {
        send_arp_request(s, n.iface, n.addr);
      }
    }
  }
}

} // namespace sluice
