#pragma once
// A worker lcore: polls its RX queue on every port, forwards in bursts through the pipeline's
// stages (dataplane/pipeline/, drawn in dataplane/README.md) and the egress, and owns everything
// it writes (flow table, neighbour cache, scheduler cursors, counters). It reads the published
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
#include "dataplane/egress/egress.hpp"
#include "dataplane/flow/affinity.hpp"
#include "dataplane/flow/half_open_limit.hpp"
#include "dataplane/flow/ledger.hpp"
#include "dataplane/flow/table.hpp"
#include "dataplane/frag/buffers.hpp"
#include "dataplane/frag/reassembly.hpp"
#include "dataplane/icmp/rate_limit.hpp"
#include "dataplane/net/parse.hpp"
#include "dataplane/pipeline/packet.hpp"
#include "dataplane/sched/pick.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/worker/burst.hpp"
#include "dataplane/worker/flow_command.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/idle_policy.hpp"
#include "dataplane/worker/idle_wait.hpp"
#include "dataplane/worker/setup.hpp"
#include "dataplane/xmit/fnat.hpp"

namespace sluice {

class worker {
public:
  static constexpr unsigned k_burst = sluice::k_burst;
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
  // plan_new_flows()'s scheduled record of a new flow, before its insert.
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

  // The stages of a burst, in order (dataplane/README.md draws them). Each takes the snapshot
  // the poll read and the packets it works on; the worker's members are the state they share.

  // pipeline/steer.cpp — ownership: each packet goes to the worker that owns its flow.
  void steer(const snapshot& s, uint16_t in_iface, rte_mbuf** pkts, unsigned n) noexcept;
  unsigned owner_of(const snapshot& s, const rte_mbuf* m) const noexcept;
  // Returns the packets received from other workers.
  unsigned receive_handoffs(const snapshot& s) noexcept;

  // pipeline/parse.cpp — parse and validate a burst, look its flows up in bulk, forward.
  // `in_iface` is the interface all packets arrived on, or k_iface_from_mbuf for handed-off
  // packets, whose mbuf->port the steering worker set (not every PMD sets it on receive).
  static constexpr int k_iface_from_mbuf = -1;
  void process_burst(const snapshot& s, rte_mbuf** pkts, unsigned n, int in_iface) noexcept;
  // Handles everything but TCP/UDP flow traffic; returns true when the packet was consumed.
  bool classify(const snapshot& s, uint16_t in_iface, rte_mbuf* m, packet_desc& c) noexcept;

  // pipeline/local.cpp — local delivery: ARP, ICMP echo, the exception path. Consumes the
  // packets classify() does not make flow candidates of: ICMP and other protocols to a local
  // address, TCP/UDP whose TTL runs out here.
  void deliver_locally(const snapshot& s, packet_desc& c) noexcept;
  void handle_arp(const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept;
  // The service of a TCP/UDP packet's VIP and destination port (or the VIP's any-port one).
  static const snapshot_service* vip_service_of(const snapshot& s, const ipv4_packet& p) noexcept {
    const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
    return s.find_vip_service(p.ip->dst_addr, ports[1], p.proto);
  }

  // pipeline/reassemble.cpp — IPv4 fragments. Takes the TCP/UDP fragment `m` (header
  // validated) into the reassembly table; returns the whole datagram when `m` completed it and
  // this worker owns it (handed to its owner otherwise), nullptr when `m` was kept or dropped.
  rte_mbuf* reassemble(const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept;
  // Drops datagrams whose fragments stopped coming (housekeeping).
  void expire_fragments() noexcept;

  // pipeline/lookup.cpp — the burst's flow lookup, decided: hits forwarded on their flows,
  // misses resolved, screened by the ACLs and scheduled together.
  // probes[i]: c[i]'s flow key, matched against its bucket as the burst was parsed.
  void forward_flows(const snapshot& s, packet_desc* c, const flow_table::probe* probes,
                     unsigned n) noexcept;

  // pipeline/miss.cpp — the miss path: ACL verdict, scheduling, insert.
  // For a flow miss: sets c.service and c.on_miss; returns false when it consumed the packet
  // (a VIP port without a service).
  bool resolve_destination(const snapshot& s, packet_desc& c) noexcept;
  // A packet no flow has, after resolve_destination() and the ACLs admitted it: dropped, given
  // to the kernel, or opens a flow (unless an earlier packet of the burst opened it).
  // `planned`: its flow as plan_new_flows() scheduled it, or nullptr.
  void forward_miss(const snapshot& s, packet_desc& c, const flow_key& key, uint64_t created_before,
                    new_flow* planned = nullptr) noexcept;
  // Schedules the eligible (bit mask) misses of NAT and full-NAT services that a burst of their
  // own would open (a full-NAT flow with its first local endpoint), counts each as its backend's
  // flow and starts the loads of its tuples' home buckets; returns the mask of those planned_[i]
  // holds. A full-NAT flow without a local address is scheduled but neither counted nor
  // prefetched: insert_flow() drops it in order, as an unplanned one would be.
  uint64_t plan_new_flows(const snapshot& s, packet_desc* c, const flow_table::probe* probes,
                          unsigned n, uint64_t eligible) noexcept;
  void open_flow(const snapshot& s, packet_desc& c) noexcept;
  // open_flow()'s two halves. schedule_flow() checks the packet, chooses the backend and fills
  // `out`, or returns why the packet is refused (not dropped here); insert_flow() inserts the
  // flow and forwards the packet on it, or drops it.
  std::optional<drop_reason> schedule_flow(const snapshot& s, packet_desc& c, new_flow& out) noexcept;
  void insert_flow(const snapshot& s, packet_desc& c, new_flow& nf) noexcept;
  // The backend for a new flow: the client's affinity template when it is still valid,
  // otherwise the service's scheduler (remembered when the service is persistent).
  std::optional<uint32_t> choose_backend(const snapshot& s, const packet_desc& c) noexcept;
  // The flow table is full, or its half-open flows at dataplane.max_half_open, and `f` belongs
  // to an mh dr/tun service: forward without tracking, since Maglev sends the flow's later
  // packets to the same backend anyway.
  // `f` is the unsaved record: the neighbour entry forwarding keeps in it is forgotten.
  void forward_untracked(const snapshot& s, packet_desc& c, flow& f) noexcept;
  // Ends the flow at `index` before its time because a new connection takes its tuple.
  void end_reused_flow(uint32_t index) noexcept;
  // Ends the flow holding the reply tuple that the new flow `f` needs, when that flow is over:
  // a TCP flow closing or closed while `f` opens with a SYN (the client's kernel reused a source
  // port towards another port of the VIP, and the backend sees the same tuple again: IPVS's
  // conn_reuse_mode and conntrack's TIME_WAIT reuse let it through), or any flow idle past its
  // timeout that expiry has not reached yet. A live flow keeps its tuple. Returns whether the
  // tuple was freed.
  bool free_reply_tuple(const flow& f, bool opening) noexcept;

  // pipeline/acl.cpp — ACLs. Decides the new flows among c[0..n) (bulk, one rte_acl call per
  // set) and sets their acl_hold; a denied packet is dropped and admitted[i] left false.
  void acl_screen(const snapshot& s, packet_desc* c, unsigned n, uint64_t found,
                  bool* admitted) noexcept;
  // The same for one new flow; false when it was denied (and dropped).
  bool acl_admit(const snapshot& s, packet_desc& c) noexcept;
  // A packet of a flow whose acl_hold is not 0: false when it was dropped.
  bool acl_on_flow(const snapshot& s, packet_desc& c, flow& f, flow_dir dir) noexcept;
  // Drops a denied packet, counted, after sending the rule's reply.
  void acl_reject(const snapshot& s, packet_desc& c, acl_reply reply) noexcept;
  acl_worker_ctx acl_ctx() noexcept {
    return {id_, stats_.acl_hits.get(), stats_.acl_slot_count, &counters_.acl_scans};
  }

  // pipeline/established.cpp — a packet on its flow: TCP state, counters, then the rewrite of
  // the flow's mode.
  void forward_on_flow(const snapshot& s, packet_desc& c, uint32_t index, flow_dir dir,
                       bool checksum_verified) noexcept;
  void set_state(flow& f, flow_state next) noexcept;

  // pipeline/rewrite_*.cpp — one file per forwarding mode: rewrite, then egress.
  void forward_nat(const snapshot& s, packet_desc& c, flow& f, flow_dir dir) noexcept;
  // The forward direction of DR and TUN flows, whose replies bypass the gateway. Both keep the
  // entry of the backend's next hop in f.next_hop[forward].
  void forward_dr(const snapshot& s, packet_desc& c, flow& f) noexcept;
  void forward_tun(const snapshot& s, packet_desc& c, flow& f) noexcept;
  void forward_fnat(const snapshot& s, packet_desc& c, flow& f, flow_dir dir) noexcept;
  // Full-NAT's local endpoints. Sets f.local_addr and f.local_port to this worker's next local
  // endpoint candidate towards f.backend_addr: a pool address, or without a pool the address of
  // the interface routing to the backend; false (nothing drawn) when there is no such route.
  bool draw_local_endpoint(const snapshot& s, const snapshot_service& svc, flow& f) noexcept;
  // Inserts nf.f from the first local endpoint whose reply tuple is free (nf's planned one
  // first, if any); returns the index, -EADDRNOTAVAIL when there is no local address or no
  // candidate was free, or flow_table::insert()'s errors.
  int64_t insert_fnat(const snapshot& s, const snapshot_service& svc, const packet_desc& c,
                      new_flow& nf) noexcept;

  // pipeline/icmp_error.cpp — ICMP errors: about NAT and full-NAT flows (translated and
  // forwarded), and the ones the worker originates.
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

  // Housekeeping (worker.cpp, flow_commands.cpp, garp.cpp).
  // Takes the next control-plane request when idle and advances it by k_command_budget slots.
  void serve_flow_command() noexcept;
  // Worker 0: sends the gratuitous ARPs the control plane queued, a bounded number per expiry
  // interval.
  void send_garps(const snapshot& s) noexcept;
  static constexpr unsigned k_garp_budget = 16;
  // Sleeps `ticks` (or until a wake-up) offline for `rcu`, counted in the worker's counters.
  void sleep_idle(uint64_t ticks, const rcu_reader* rcu) noexcept;

  const snapshot_publisher& publisher_;
  worker_stats& stats_;
  worker_counters& counters_;
  unsigned id_;
  std::vector<uint16_t> ports_;
  std::vector<uint16_t> iface_of_port_; // by DPDK port id
  const handoff_mesh* mesh_;
  rte_ring* command_ring_;           // null when the worker takes no requests
  rte_ring* garp_ring_;              // worker 0's: the control plane's garp_requests
  flow_command* command_ = nullptr;  // the request being served
  unsigned workers_;
  flow_table flows_;
  flow_ledger ledger_;
  half_open_limit half_open_; // dataplane.max_half_open
  affinity_table affinity_;
  uint64_t tsc_hz_;
  uint64_t expiry_interval_ = tsc_hz_ * k_expiry_interval_us / 1000000; // TSC
  scheduler_state sched_; // cursors per service slot, the random generator
  uint64_t now_ = 0;
  uint16_t tun_sent_ = 0; // outer IPv4 IDs: id_ + k * workers_, unique across workers
  fnat_local_cursor local_endpoints_; // this worker's full-NAT local address:port pairs
  icmp_rate_limiter icmp_limit_; // every ICMP message the worker originates
  uint64_t next_neigh_scan_ = 0;
  frag_buffer_pool frag_pool_;
  reassembly_table frags_;
  std::vector<rte_mbuf*> frag_buffers_; // by reassembly slot: the datagram being reassembled
  egress out_;
  uint64_t next_expiry_ = 0;
  // plan_new_flows()'s plans for the burst forward_flows() is forwarding (a member, not a local:
  // a flow's default member initialisers would be run for every slot of every burst).
  new_flow planned_[k_burst];

  // A tap is read with a syscall: a busy worker reads it only every k_twin_poll_us.
  static constexpr unsigned k_twin_poll_us = 20;
  uint64_t next_twin_poll_ = 0;

  // dataplane.idle: adaptive (waiter_ is null with poll).
  bool worked_ = false; // the last poll received, handed on or served something
  idle_policy idle_;
  std::unique_ptr<idle_waiter> waiter_;
};

} // namespace sluice
