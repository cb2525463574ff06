#pragma once
// A worker lcore: polls its RX queue on every port, forwards in bursts, and owns everything it
// writes (flow table, neighbour cache, scheduler cursors, counters). It reads the published
// snapshot once per loop and reports an RCU quiescent state at the end of each loop.

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dataplane/acl/evaluate.hpp"
#include "dataplane/frag/buffers.hpp"
#include "dataplane/frag/reassembly.hpp"
#include "dataplane/flow/affinity.hpp"
#include "dataplane/flow/table.hpp"
#include "dataplane/icmp/rate_limit.hpp"
#include "dataplane/neigh/table.hpp"
#include "dataplane/net/parse.hpp"
#include "dataplane/rate/token_bucket.hpp"
#include "dataplane/route/next_hop.hpp"
#include "dataplane/sched/pick.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/worker/flow_command.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/idle_policy.hpp"
#include "dataplane/worker/idle_wait.hpp"
#include "dataplane/worker/setup.hpp"
#include "dataplane/xmit/fnat.hpp"
#include "dataplane/xmit/tun.hpp" // k_link_mtu

namespace sluice {

class worker {
public:
  static constexpr unsigned k_burst = 32;
  static constexpr unsigned k_prefetch_ahead = 4;
  // Every k_expiry_interval_us, the flow and the affinity timer wheels each do up to
  // k_expire_budget units of work (a due timer examined, or a wheel slot passed): 5.1 million
  // timers per second per table, whatever its size, and nothing read that is not due. A flow
  // goes within a wheel tick (1/32 to 1/16 s) of its deadline while expiries keep below that.
  static constexpr unsigned k_expire_budget = 256;
  static constexpr unsigned k_expiry_interval_us = 50;
  // Flow slots a flush or sample request advances per expiry interval: a million-slot table is
  // walked in about 13 ms, at a few microseconds per step.
  static constexpr unsigned k_command_budget = 4096;

  worker(const worker_setup& setup, const snapshot_publisher& publisher, worker_stats& stats);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Runs poll_once() until `stop` is set, reporting quiescence after every iteration and, with
  // dataplane.idle: adaptive, resting when idle (rest_if_idle()).
  void run(const std::atomic<bool>& stop) noexcept;

  // After poll_once(), with dataplane.idle: adaptive: asks the idle policy and pauses or sleeps
  // as it says (nothing after a poll that did work). While asleep the worker is offline for
  // `rcu` (if given), so that publishing never waits for it. A no-op with dataplane.idle: poll.
  void rest_if_idle(const rcu_reader* rcu) noexcept {
    if (waiter_ == nullptr) return;
    const idle_step step = idle_.after_poll(worked_, now_);
    if (step.action == idle_action::poll) return;
    if (step.action == idle_action::pause) return rte_pause();
    sleep_idle(step.ticks, rcu);
  }

  // One loop iteration without the RCU report: receive a burst from every port, process it,
  // transmit, then do bounded housekeeping. Returns the number of packets received from the
  // ports (hand-offs and the kernel twins' packets are work too, for rest_if_idle()).
  unsigned poll_once() noexcept;

  const flow_table& flows() const noexcept { return flows_; }

private:
  // A TCP/UDP packet with TTL > 1, to be forwarded on its flow. What its destination is (VIP
  // service, local address, elsewhere) matters only when no flow has it: resolve_destination()
  // sets `service` and `on_miss` for flow misses only.
  struct candidate {
    rte_mbuf* m;
    ipv4_packet pkt;
    const snapshot_service* service; // the VIP service it would open a flow for, or nullptr
    drop_reason on_miss;             // why a packet without service and flow is dropped
                                     // (local_delivery_unsupported: unless the kernel takes it)
    uint8_t acl_hold;                // for a new flow: its flow::acl_hold (dataplane/acl/hold.hpp)
    uint16_t in_iface;               // the interface it arrived on
  };

  // Sends each packet to the worker that owns its flow; processes its own share.
  void hand_off(unsigned owner, uint16_t in_iface, rte_mbuf* m) noexcept;
  void steer(const snapshot& s, uint16_t in_iface, rte_mbuf** pkts, unsigned n) noexcept;
  unsigned owner_of(const snapshot& s, const rte_mbuf* m) const noexcept;
  // Returns the packets received from other workers.
  unsigned receive_handoffs(const snapshot& s) noexcept;
  // `in_iface` is the interface all packets arrived on, or k_iface_from_mbuf for handed-off
  // packets, whose mbuf->port the steering worker set (not every PMD sets it on receive).
  static constexpr int k_iface_from_mbuf = -1;
  void process_burst(const snapshot& s, rte_mbuf** pkts, unsigned n, int in_iface) noexcept;
  // Handles everything but TCP/UDP flow traffic; returns true when the packet was consumed.
  bool classify(const snapshot& s, uint16_t in_iface, rte_mbuf* m, candidate& c) noexcept;
  // Consumes the packets classify() does not make candidates of: ICMP and other protocols to a
  // local address, TCP/UDP whose TTL runs out here.
  void deliver_locally(const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                       const ipv4_packet& p) noexcept;
  // The service of a TCP/UDP packet's VIP and destination port (or the VIP's any-port one).
  static const snapshot_service* vip_service_of(const snapshot& s, const ipv4_packet& p) noexcept {
    const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
    return s.find_vip_service(p.ip->dst_addr, ports[1], p.proto);
  }
  // For a flow miss: sets c.service and c.on_miss; returns false when it consumed the packet
  // (a VIP port without a service).
  bool resolve_destination(const snapshot& s, candidate& c) noexcept;
  void handle_arp(const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept;
  // IPv4 fragments (fragments.cpp). Takes the TCP/UDP fragment `m` (header validated) into the
  // reassembly table; returns the whole datagram when `m` completed it and this worker owns it
  // (handed to its owner otherwise), nullptr when `m` was kept or dropped.
  rte_mbuf* reassemble(const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept;
  // Drops datagrams whose fragments stopped coming (housekeeping).
  void expire_fragments() noexcept;
  // send_via() for a frame over the link MTU (fragmented, or dropped when DF forbids) or in a
  // reassembly buffer (copied into a plain mbuf: reassembly buffers never reach a NIC, whose
  // queues may outlive the worker and its pool).
  void send_reassembled(const snapshot& s, uint16_t iface, uint32_t next_hop, rte_mbuf* m) noexcept;
  // probes[i]: c[i]'s flow key, matched against its bucket as the burst was parsed.
  void forward_flows(const snapshot& s, candidate* c, const flow_table::probe* probes,
                     unsigned n) noexcept;
  // A packet no flow has, after resolve_destination() and the ACLs admitted it: dropped, given
  // to the kernel, or opens a flow (unless an earlier packet of the burst opened it).
  // `planned`: its flow as plan_new_flows() scheduled it, or nullptr.
  struct new_flow;
  void forward_miss(const snapshot& s, candidate& c, const flow_key& key, uint64_t created_before,
                    new_flow* planned = nullptr) noexcept;
  void forward_on_flow(const snapshot& s, candidate& c, uint32_t index, flow_dir dir,
                       bool checksum_verified) noexcept;
  // A new flow's record as scheduled, before its insert.
  struct new_flow {
    flow f;
    bool adopted;      // not opened by its first packet (an mh dr/tun mid-connection segment)
    bool untracked_ok; // forward_untracked() when the table is full
    // Full-NAT: f.local_addr and f.local_port hold the first local endpoint to try, drawn when
    // the flow was planned.
    bool local_drawn;
    // A planned flow that plan_new_flows() counted as its backend's flow (forward_miss() takes
    // the count back): all but a full-NAT one left without a local endpoint.
    bool counted_as_planned() const noexcept { return f.mode != forwarding::fnat || local_drawn; }
  };
  void open_flow(const snapshot& s, candidate& c) noexcept;
  // open_flow()'s two halves. schedule_flow() checks the packet, chooses the backend and fills
  // `out`, or returns why the packet is refused (not dropped here); insert_flow() inserts the
  // flow and forwards the packet on it, or drops it.
  std::optional<drop_reason> schedule_flow(const snapshot& s, candidate& c, new_flow& out) noexcept;
  void insert_flow(const snapshot& s, candidate& c, new_flow& nf) noexcept;
  // Schedules the eligible (bit mask) misses of NAT and full-NAT services that a burst of their
  // own would open (a full-NAT flow with its first local endpoint), counts each as its backend's
  // flow and starts the loads of its tuples' home buckets; returns the mask of those planned_[i]
  // holds. A full-NAT flow without a local address is scheduled but neither counted nor
  // prefetched: insert_flow() drops it in order, as an unplanned one would be.
  uint64_t plan_new_flows(const snapshot& s, candidate* c, const flow_table::probe* probes,
                          unsigned n, uint64_t eligible) noexcept;
  // The flow table is full and `f` belongs to an mh dr/tun service: forward without tracking,
  // since Maglev sends the flow's later packets to the same backend anyway.
  // `f` is the unsaved record: the neighbour entry forwarding keeps in it is forgotten.
  void forward_untracked(const snapshot& s, candidate& c, flow& f) noexcept;
  // The backend for a new flow: the client's affinity template when it is still valid,
  // otherwise the service's scheduler (remembered when the service is persistent).
  std::optional<uint32_t> choose_backend(const snapshot& s, const candidate& c) noexcept;
  void set_state(flow& f, flow_state next) noexcept;
  // Takes the next control-plane request when idle and advances it by k_command_budget slots
  // (flow_commands.cpp).
  void serve_flow_command() noexcept;
  // Worker 0: sends the gratuitous ARPs the control plane queued (garp.cpp), a bounded number
  // per expiry interval.
  void send_garps(const snapshot& s) noexcept;
  static constexpr unsigned k_garp_budget = 16;
  // Takes `f` out of its backend's ActiveConn/InActConn before it is erased.
  void forget_flow(const flow& f) noexcept;
  // Ends the flow at `index` before its time because a new connection takes its tuple: out of
  // its backend's counts, the table's occupancy and the table.
  void end_reused_flow(uint32_t index) noexcept;
  // Ends the flow holding the reply tuple that the new flow `f` needs, when that flow is over:
  // a TCP flow closing or closed while `f` opens with a SYN (the client's kernel reused a source
  // port towards another port of the VIP, and the backend sees the same tuple again: IPVS's
  // conn_reuse_mode and conntrack's TIME_WAIT reuse let it through), or any flow idle past its
  // timeout that expiry has not reached yet. A live flow keeps its tuple. Returns whether the
  // tuple was freed.
  bool free_reply_tuple(const flow& f, bool opening) noexcept;
  // Counts `f` in its backend's ActiveConn/InActConn (what lc and wlc choose by).
  void count_flow(const flow& f) noexcept;
  // ACLs (worker/acl.cpp). Decides the new flows among c[0..n) (bulk, one rte_acl call per set)
  // and sets their acl_hold; a denied packet is dropped and admitted[i] left false.
  void acl_screen(const snapshot& s, candidate* c, unsigned n, uint64_t found,
                  bool* admitted) noexcept;
  // The same for one new flow; false when it was denied (and dropped).
  bool acl_admit(const snapshot& s, candidate& c) noexcept;
  // A packet of a flow whose acl_hold is not 0: false when it was dropped.
  bool acl_on_flow(const snapshot& s, candidate& c, flow& f, flow_dir dir) noexcept;
  // Drops a denied packet, counted, after sending the rule's reply.
  void acl_reject(const snapshot& s, candidate& c, acl_reply reply) noexcept;
  acl_worker_ctx acl_ctx() noexcept {
    return {id_, stats_.acl_hits.get(), stats_.acl_slot_count, &counters_.acl_scans};
  }
  // The forward direction of DR and TUN flows, whose replies bypass the gateway (direct.cpp).
  // Both keep the entry of the backend's next hop in f.next_hop[forward] (route_flow_out()).
  void forward_dr(const snapshot& s, candidate& c, flow& f) noexcept;
  void forward_tun(const snapshot& s, candidate& c, flow& f) noexcept;
  // Full-NAT (fullnat.cpp). Sets f.local_addr and f.local_port to this worker's next local
  // endpoint candidate towards f.backend_addr: a pool address, or without a pool the address of
  // the interface routing to the backend; false (nothing drawn) when there is no such route.
  bool draw_local_endpoint(const snapshot& s, const snapshot_service& svc, flow& f) noexcept;
  // Inserts nf.f from the first local endpoint whose reply tuple is free (nf's planned one
  // first, if any); returns the index, -EADDRNOTAVAIL when there is no local address or no
  // candidate was free, or flow_table::insert()'s errors.
  int64_t insert_fnat(const snapshot& s, const snapshot_service& svc, const candidate& c,
                      new_flow& nf) noexcept;
  void forward_fnat(const snapshot& s, candidate& c, flow& f, flow_dir dir) noexcept;
  // ICMP errors about NAT and full-NAT flows (icmp_error.cpp).
  unsigned icmp_error_owner(const snapshot& s, const uint8_t* icmp, uint32_t len) const noexcept;
  // An error about none of our flows, sent to an interface's address, is the kernel's.
  void handle_icmp_error(const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                         ipv4_packet& p) noexcept;
  // An ICMP error about `offending` from `src` to its sender, within the rate limit.
  void send_icmp_error(const snapshot& s, const rte_ipv4_hdr* offending, uint32_t src,
                       uint8_t type, uint8_t code, uint32_t rest) noexcept;
  // A packet whose TTL ends here: answered with time exceeded (rate-limited), dropped, true.
  bool expire(const snapshot& s, uint16_t in_iface, rte_mbuf* m, const ipv4_packet& p) noexcept;
  // ICMP fragmentation-needed to the source of `offending`, from the address it was sent to.
  void send_frag_needed(const snapshot& s, const rte_ipv4_hdr* offending, uint16_t mtu) noexcept;

  // Routes a packet whose IPv4 header is final and hands it to the neighbour layer.
  void route_out(const snapshot& s, rte_mbuf* m, uint32_t dst) noexcept;
  // route_out() for a packet of flow `f` travelling in `dir` to `dst`, through the neighbour
  // entry the flow remembers (flow::next_hop): no route scan or neighbour lookup per packet.
  // `scope` limits the routes of the flow's first packets (DR: on_link, no gateway).
  void route_flow_out(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir, uint32_t dst,
                      route_scope scope = route_scope::any) noexcept {
    // In the header, the established case is no call at all from forward_on_flow() and the
    // other callers: 1K flows 0.94x the cycles per packet for NAT and DR, 1M 0.97x.
    if (!send_through_kept(s, m, f, dir)) route_first_out(s, m, f, dir, dst, scope);
  }
  // route_flow_out() for a packet without a kept entry to use: routes it, keeps its entry.
  void route_first_out(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir, uint32_t dst,
                       route_scope scope) noexcept;
  // route_flow_out()'s halves, for a packet whose headers depend on the way out (TUN's outer
  // source). flow_route(): sets `out` to the next hop of the entry `f` keeps for `dir`, else to
  // route(dst, scope) (false: no route). send_on_flow(): sends `m` along it and keeps its entry in
  // `f`. Not an optional<next_hop> returned: GCC assembled it on the stack from partial stores
  // and read it back whole, a store-forwarding stall on every TUN packet (1.15x its cycles).
  bool flow_route(const snapshot& s, const flow& f, flow_dir dir, uint32_t dst, next_hop& out,
                  route_scope scope = route_scope::any) const noexcept {
    if (const uint16_t kept = f.next_hop[static_cast<unsigned>(dir)]; kept != k_unresolved_hop) {
      const neighbour& n = neighbours_.slot(kept);
      out.iface = n.iface;
      out.addr = n.addr;
      return true;
    }
    const auto hop = route(s, dst, scope);
    if (hop) out = *hop;
    return hop.has_value();
  }
  void send_on_flow(const snapshot& s, rte_mbuf* m, flow& f, flow_dir dir,
                    const next_hop& via) noexcept;
  // Sends `m` through the entry `f` keeps for `dir` when it has one and `m` fits the link
  // (true), so that an established packet pays neither route nor next hop.
  [[gnu::always_inline]] bool send_through_kept(const snapshot& s, rte_mbuf* m, const flow& f,
                                                flow_dir dir) noexcept {
    const uint16_t kept = f.next_hop[static_cast<unsigned>(dir)];
    if (kept == k_unresolved_hop || needs_fragment_path(m)) return false;
    send_to_neighbour(s, neighbours_.slot(kept), m);
    return true;
  }
  void send_via(const snapshot& s, uint16_t iface, uint32_t next_hop, rte_mbuf* m) noexcept;
  // send_via() once the neighbour entry is known and the frame fits the link.
  void send_to_neighbour(const snapshot& s, neighbour& n, rte_mbuf* m) noexcept;
  // Over the link MTU, or a reassembled datagram: send_via() fragments or copies it.
  bool needs_fragment_path(const rte_mbuf* m) const noexcept {
    return rte_pktmbuf_pkt_len(m) > sizeof(rte_ether_hdr) + k_link_mtu || frag_pool_.owns(m);
  }
  void learn_neighbour(const snapshot& s, uint16_t iface, uint32_t addr,
                       const rte_ether_addr& mac) noexcept;
  // learn_neighbour() here and on every other worker.
  void share_neighbour(const snapshot& s, uint16_t iface, uint32_t addr,
                       const rte_ether_addr& mac) noexcept;
  void send_arp_request(const snapshot& s, uint16_t iface, uint32_t target) noexcept;
  void age_neighbours(const snapshot& s) noexcept;

  // The exception path (exception.cpp). Hands `m` to the kernel twin of `iface` within its
  // rate limit; without a twin, drops it as `otherwise`.
  void to_kernel(uint16_t iface, rte_mbuf* m, drop_reason otherwise) noexcept;
  bool has_kernel_twin(uint16_t iface) const noexcept {
    return iface < exception_.size() && exception_[iface].has_value();
  }
  // Receives what the kernel sent on every tap (this worker's queue) and transmits it; returns
  // how many packets that was.
  unsigned poll_kernel_twins() noexcept;

  void enqueue_tx(uint16_t iface, rte_mbuf* m) noexcept;
  // Sends the interface's queued packets; what the NIC refuses is dropped as tx_full.
  void transmit(uint16_t iface) noexcept;
  void flush_tx() noexcept;
  void drop(rte_mbuf* m, drop_reason r) noexcept;
  // Sleeps `ticks` (or until a wake-up) offline for `rcu`, counted in the worker's counters.
  void sleep_idle(uint64_t ticks, const rcu_reader* rcu) noexcept;

  const snapshot_publisher& publisher_;
  worker_stats& stats_;
  worker_counters& counters_;
  unsigned id_;
  std::vector<uint16_t> ports_;
  std::vector<uint16_t> iface_of_port_; // by DPDK port id
  rte_mempool* pool_;
  const handoff_mesh* mesh_;
  rte_ring* command_ring_;           // null when the worker takes no requests
  rte_ring* garp_ring_;              // worker 0's: the control plane's garp_requests
  flow_command* command_ = nullptr;  // the request being served
  unsigned workers_;
  flow_table flows_;
  affinity_table affinity_;
  neighbour_table neighbours_;
  uint64_t tsc_hz_;
  uint64_t expiry_interval_ = tsc_hz_ * k_expiry_interval_us / 1000000; // TSC
  neigh_timers neigh_timers_;
  scheduler_state sched_; // cursors per service slot, the random generator
  uint64_t now_ = 0;
  uint16_t tun_sent_ = 0; // outer IPv4 IDs: id_ + k * workers_, unique across workers
  fnat_local_cursor local_endpoints_; // this worker's full-NAT local address:port pairs
  icmp_rate_limiter icmp_limit_; // every ICMP message the worker originates
  uint64_t next_neigh_scan_ = 0;
  frag_buffer_pool frag_pool_;
  reassembly_table frags_;
  std::vector<rte_mbuf*> frag_buffers_; // by reassembly slot: the datagram being reassembled
  uint64_t next_expiry_ = 0;
  // plan_new_flows()'s plans for the burst forward_flows() is forwarding (a member, not a local:
  // a flow's default member initialisers would be run for every slot of every burst).
  new_flow planned_[k_burst];

  struct tx_queue {
    uint16_t count = 0;
    rte_mbuf* pkts[k_burst];
  };
  std::vector<tx_queue> tx_; // by interface index
  // Sends q on `port`'s queue id_ and returns how many left; what the device refuses is dropped
  // as `refused`.
  uint16_t send_queued(uint16_t port, tx_queue& q, drop_reason refused) noexcept;

  struct kernel_twin {
    uint16_t port;
    token_bucket to_kernel;   // this worker's share of the rate limit, each direction
    token_bucket from_kernel;
    tx_queue queue;           // towards the kernel
  };
  std::vector<std::optional<kernel_twin>> exception_; // by interface index
  bool any_twin_ = false;
  // A tap is read with a syscall: a busy worker reads it only every k_twin_poll_us.
  static constexpr unsigned k_twin_poll_us = 20;
  uint64_t next_twin_poll_ = 0;

  // dataplane.idle: adaptive (waiter_ is null with poll).
  bool worked_ = false; // the last poll received, handed on or served something
  idle_policy idle_;
  std::unique_ptr<idle_waiter> waiter_;
};

} // namespace sluice
