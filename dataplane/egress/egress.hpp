#pragma once
// Every way a packet leaves a worker, behind one small API: to a port as a complete frame, to a
// next hop through the neighbour layer (ARP resolution, fragmentation when over the link MTU),
// along a flow's remembered next hop, to an interface's kernel twin, to the worker that owns it,
// or dropped with its reason. Each call consumes the packet. Transmission is batched per port
// and flushed once per poll.
//
// The egress owns what leaving needs and nothing else: the TX queues, the neighbour cache and
// its timers, the kernel twins' queues and rate limits. Its calls take addresses of any family
// (net/address.hpp); what depends on the family — the neighbour protocol (solicit()), the
// fragmenter (fragment_out()) — branches on it inside.

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "dataplane/flow/flow.hpp"
#include "dataplane/frag/buffers.hpp"
#include "dataplane/neigh/table.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/rate/token_bucket.hpp"
#include "dataplane/route/next_hop.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/worker/burst.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/setup.hpp"

namespace sluice {

class egress {
public:
  // `frags` is the worker's reassembly pool: its buffers never reach a NIC (to_next_hop() copies
  // or fragments them).
  egress(const worker_setup& setup, unsigned workers, worker_counters& counters,
         const frag_buffer_pool& frags, uint64_t tsc_hz);
  ~egress();
  egress(const egress&) = delete;
  egress& operator=(const egress&) = delete;

  // The worker's clock, read once per poll.
  void set_clock(uint64_t now) noexcept { now_ = now; }

  // Out of line: an inline rte_pktmbuf_free() is large, and every stage that may drop would carry
  // it and the registers it needs on the path of the packets it forwards.
  void drop(rte_mbuf* m, drop_reason r) noexcept;
  // A complete frame, Ethernet addresses written, onto `iface`'s TX batch.
  void to_port(uint16_t iface, rte_mbuf* m) noexcept {
    if (tx_[iface].count == k_burst) transmit(iface);
    tx_queue& q = tx_[iface];
    q.pkts[q.count++] = m;
  }
  // A packet whose IP header is final, to `addr` on `iface` (the destination or a gateway).
  void to_next_hop(const snapshot& s, uint16_t iface, const ip_addr& addr, rte_mbuf* m) noexcept;
  // Routes a packet whose IP header is final and sends it to the route's next hop.
  void route_out(const snapshot& s, rte_mbuf* m, const ip_addr& dst) noexcept;

  // A packet of flow `f` travelling in `dir` (to f.destination(dir)), through the neighbour
  // entry the flow keeps (flow::next_hop): no route scan or neighbour lookup for an established
  // packet. `scope` limits the routes of the flow's first packets (DR: on_link, no gateway).
  void on_flow(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
               route_scope scope = route_scope::any) noexcept {
    // In the header: the established case is no call at all.
    if (!through_kept(s, m, f, dir)) on_flow_first(s, m, f, dir, scope);
  }
  // on_flow()'s halves, for a packet whose headers depend on the way out (TUN's outer source).
  // flow_route(): sets `out` to the next hop of the entry `f` keeps for `dir`, else to the
  // route towards f.destination(dir) within `scope` (false: no route). on_flow_via(): sends `m`
  // along it and keeps its entry in `f`. An out-parameter, not an optional<next_hop> returned:
  // GCC builds such an optional on the stack from partial stores and reads it back whole, a
  // store-forwarding stall per packet.
  bool flow_route(const snapshot& s, const flow& f, flow_dir dir, next_hop& out,
                  route_scope scope = route_scope::any) const noexcept {
    if (const uint16_t kept = f.next_hop[static_cast<unsigned>(dir)]; kept != k_unresolved_hop) {
      const neighbour& n = neighbours_.slot(kept);
      out.iface = n.iface;
      out.addr = n.addr;
      return true;
    }
    const auto hop = route(s, f.destination(dir), scope);
    if (hop) out = *hop;
    return hop.has_value();
  }
  void on_flow_via(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
                   const next_hop& via) noexcept;

  // To the kernel twin of `iface` within its rate limit; without a twin, dropped as `otherwise`.
  void to_kernel(uint16_t iface, rte_mbuf* m, drop_reason otherwise) noexcept;
  bool has_kernel_twin(uint16_t iface) const noexcept {
    return iface < twins_.size() && twins_[iface].has_value();
  }
  bool any_kernel_twin() const noexcept { return any_twin_; }
  // Sends on what the kernel wrote to every tap (this worker's queue); returns how many packets.
  unsigned relay_from_kernel() noexcept;

  // To the worker that owns the packet's flow, which processes it as arrived on `in_iface`.
  void to_worker(unsigned owner, uint16_t in_iface, rte_mbuf* m) noexcept;

  // Sends every batch; what a device refuses is dropped (tx_full, exception_tap_full).
  void flush() noexcept;

  // The largest IP packet `iface`'s link carries.
  uint16_t link_mtu(uint16_t iface) const noexcept { return mtu_[iface]; }

  // The neighbour layer: what ARP (or neighbour discovery) learnt, here and on every worker.
  void learn_neighbour(const snapshot& s, uint16_t iface, const ip_addr& addr,
                       const rte_ether_addr& mac) noexcept;
  void share_neighbour(const snapshot& s, uint16_t iface, const ip_addr& addr,
                       const rte_ether_addr& mac) noexcept;
  bool resolving(uint16_t iface, const ip_addr& addr) noexcept {
    return neighbours_.find(iface, addr) != nullptr;
  }
  // Refreshes stale entries and gives up on unresolved ones (housekeeping).
  void age_neighbours(const snapshot& s) noexcept;
  uint64_t neighbour_scan_interval() const noexcept { return timers_.probe_interval / 10; }

  rte_mempool* pool() const noexcept { return pool_; }

  // For tracing (pipeline/trace.cpp), off the packet path: where `m`, just handled, waits to
  // leave — the last packet of an interface's TX batch or of its kernel twin's queue.
  struct queued_at {
    uint16_t iface;
    bool kernel;
  };
  std::optional<queued_at> queued(const rte_mbuf* m) const noexcept {
    for (uint16_t i = 0; i < tx_.size(); ++i) {
      if (tx_[i].count != 0 && tx_[i].pkts[tx_[i].count - 1] == m) return queued_at{i, false};
      if (const auto& t = twins_[i]; t && t->queue.count != 0 && t->queue.pkts[t->queue.count - 1] == m)
        return queued_at{i, true};
    }
    return std::nullopt;
  }
  // The address of the neighbour entry a flow keeps (flow::next_hop).
  const ip_addr& neighbour_address(uint16_t slot) const noexcept { return neighbours_.slot(slot).addr; }

private:
  struct tx_queue {
    uint16_t count = 0;
    rte_mbuf* pkts[k_burst];
  };
  struct kernel_twin {
    uint16_t port;
    token_bucket to_kernel; // this worker's share of the rate limit, each direction
    token_bucket from_kernel;
    tx_queue queue;         // towards the kernel
  };

  // Sends through the entry `f` keeps for `dir` when it has one and `m` fits the link (true).
  [[gnu::always_inline]] bool through_kept(const snapshot& s, rte_mbuf* m, const flow& f,
                                           flow_dir dir) noexcept {
    const uint16_t kept = f.next_hop[static_cast<unsigned>(dir)];
    if (kept == k_unresolved_hop) return false;
    neighbour& n = neighbours_.slot(kept);
    // Nearly every packet fits whatever link it leaves by: that is known before the entry is.
    if (!fits_every_link(m) && needs_fragment_path(m, n.iface)) return false;
    to_neighbour(s, n, m);
    return true;
  }
  void on_flow_first(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
                     route_scope scope) noexcept;
  bool fits_every_link(const rte_mbuf* m) const noexcept {
    return rte_pktmbuf_pkt_len(m) <= sizeof(rte_ether_hdr) + smallest_mtu_ && !frags_.owns(m);
  }
  // Over the link MTU, or a reassembled datagram: to_next_hop() fragments or copies it.
  bool needs_fragment_path(const rte_mbuf* m, uint16_t iface) const noexcept {
    return rte_pktmbuf_pkt_len(m) > sizeof(rte_ether_hdr) + mtu_[iface] || frags_.owns(m);
  }
  // to_next_hop() for a frame over the link MTU (fragmented, or dropped when DF forbids) or in
  // a reassembly buffer (copied into a plain mbuf: reassembly buffers never reach a NIC, whose
  // queues may outlive the worker and its pool). The packet is of `addr`'s family.
  void fragment_out(const snapshot& s, uint16_t iface, const ip_addr& addr, rte_mbuf* m) noexcept;
  void fragment_ipv4(const snapshot& s, uint16_t iface, const ip_addr& addr, rte_mbuf* m) noexcept;
  // Once the neighbour entry is known and the frame fits the link.
  void to_neighbour(const snapshot& s, neighbour& n, rte_mbuf* m) noexcept;
  // Asks `n`'s link for its MAC, by its family's protocol (IPv4: an ARP request).
  void solicit(const snapshot& s, neighbour& n) noexcept;
  void transmit(uint16_t iface) noexcept;
  // Sends q on `port`'s queue and returns how many left; the rest is dropped as `refused`.
  uint16_t send_queued(uint16_t port, tx_queue& q, drop_reason refused) noexcept;

  worker_counters& counters_;
  const frag_buffer_pool& frags_;
  unsigned id_;
  unsigned workers_;
  std::vector<uint16_t> ports_;  // DPDK port id by interface index
  std::vector<uint16_t> mtu_;    // by interface index
  uint16_t smallest_mtu_;        // of every interface: what fits it fits any link
  rte_mempool* pool_;            // for packets the worker originates
  const handoff_mesh* mesh_;
  uint64_t now_ = 0;
  std::vector<tx_queue> tx_;     // by interface index
  neighbour_table neighbours_;
  neigh_timers timers_;
  std::vector<std::optional<kernel_twin>> twins_; // by interface index
  bool any_twin_ = false;
};

} // namespace sluice
