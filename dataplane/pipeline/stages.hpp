#pragma once
// The stages of a burst, in order (dataplane/README.md draws them), one file each. Each takes the
// pipeline state (pipeline/state.hpp) and the snapshot the poll read; the worker composes a burst
// from them (worker/worker.cpp). Every packet passed in is consumed — forwarded, handed on, given
// to the kernel or dropped with its reason — unless the stage says it hands it back (classify(),
// reassemble()).

#include <rte_mbuf.h>

#include <cstdint>
#include <optional>

#include "dataplane/acl/evaluate.hpp"
#include "dataplane/net/parse.hpp"
#include "dataplane/pipeline/packet.hpp"
#include "dataplane/pipeline/state.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/trace/hub.hpp"

namespace sluice::pipeline {

// steer.cpp — ownership: each packet goes to the worker that owns its flow.
void steer(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf** pkts,
           unsigned n) noexcept;
unsigned owner_of(const pipeline_state& st, const snapshot& s, const rte_mbuf* m) noexcept;
// Returns the packets received from other workers.
unsigned receive_handoffs(pipeline_state& st, const snapshot& s) noexcept;

// parse.cpp — parse and validate a burst, look its flows up in bulk, forward.
// `in_iface` is the interface all packets arrived on, or k_iface_from_mbuf for handed-off
// packets, whose mbuf->port the steering worker set (not every PMD sets it on receive). Reads
// the armed trace session once: a burst without one runs no trace code at all.
inline constexpr int k_iface_from_mbuf = -1;
void process_burst(pipeline_state& st, const snapshot& s, rte_mbuf** pkts, unsigned n,
                   int in_iface) noexcept;
// Handles everything but TCP/UDP flow traffic; returns true when the packet was consumed.
bool classify(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
              packet_desc& c) noexcept;

// local.cpp — local delivery: ARP, ICMP echo, the exception path. Consumes the packets
// classify() does not make flow candidates of: ICMP and other protocols to a local address,
// TCP/UDP whose TTL runs out here.
void deliver_locally(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept;
void handle_arp(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept;
// The service of a TCP/UDP packet's VIP and destination port (or the VIP's any-port one).
inline const snapshot_service* vip_service_of(const snapshot& s, const ipv4_packet& p) noexcept {
  const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
  return s.find_vip_service(p.ip->dst_addr, ports[1], p.proto);
}

// reassemble.cpp — IPv4 fragments. Takes the TCP/UDP fragment `m` (header validated) into the
// reassembly table; returns the whole datagram when `m` completed it and this worker owns it
// (handed to its owner otherwise), nullptr when `m` was kept or dropped.
rte_mbuf* reassemble(pipeline_state& st, const snapshot& s, uint16_t in_iface,
                     rte_mbuf* m) noexcept;
// Drops datagrams whose fragments stopped coming (housekeeping).
void expire_fragments(pipeline_state& st) noexcept;

// lookup.cpp — the burst's flow lookup, decided: hits forwarded on their flows, misses
// resolved, screened by the ACLs and scheduled together.
// probes[i]: c[i]'s flow key, matched against its bucket as the burst was parsed. Traced: the
// burst's packets that `trace.session` may match are observed (pipeline/trace.hpp); an
// untraced burst ignores `trace`.
struct burst_trace {
  const trace_session* session = nullptr;
  bool handed_in = false; // the burst came from other workers' hand-offs
};
template <bool Traced>
void forward_flows(pipeline_state& st, const snapshot& s, packet_desc* c,
                   const flow_table::probe* probes, unsigned n, const burst_trace& trace) noexcept;

// miss.cpp — the miss path: scheduling, insert.
// For a flow miss: sets c.service and c.on_miss; returns false when it consumed the packet
// (a VIP port without a service).
bool resolve_destination(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept;
// A packet no flow has, after resolve_destination() and the ACLs admitted it: dropped, given
// to the kernel, or opens a flow (unless an earlier packet of the burst opened it).
// `planned`: its flow as plan_new_flows() scheduled it, or nullptr.
void forward_miss(pipeline_state& st, const snapshot& s, packet_desc& c, const flow_key& key,
                  uint64_t created_before, new_flow* planned = nullptr) noexcept;
// Schedules the eligible (bit mask) misses of NAT and full-NAT services that a burst of their
// own would open (a full-NAT flow with its first local endpoint), counts each as its backend's
// flow and starts the loads of its tuples' home buckets; returns the mask of those st.planned[i]
// holds. A full-NAT flow without a local address is scheduled but neither counted nor
// prefetched: insert_flow() drops it in order, as an unplanned one would be.
uint64_t plan_new_flows(pipeline_state& st, const snapshot& s, packet_desc* c,
                        const flow_table::probe* probes, unsigned n, uint64_t eligible) noexcept;
void open_flow(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept;
// open_flow()'s two halves. schedule_flow() checks the packet, chooses the backend and fills
// `out`, or returns why the packet is refused (not dropped here); insert_flow() inserts the
// flow and forwards the packet on it, or drops it.
std::optional<drop_reason> schedule_flow(pipeline_state& st, const snapshot& s, packet_desc& c,
                                         new_flow& out) noexcept;
void insert_flow(pipeline_state& st, const snapshot& s, packet_desc& c, new_flow& nf) noexcept;
// The backend for a new flow: the client's affinity template when it is still valid,
// otherwise the service's scheduler (remembered when the service is persistent).
std::optional<uint32_t> choose_backend(pipeline_state& st, const snapshot& s,
                                       const packet_desc& c) noexcept;
// The flow table is full, or its half-open flows at dataplane.max_half_open, and `f` belongs to
// an mh dr/tun service: forward without tracking, since Maglev sends the flow's later packets to
// the same backend anyway.
// `f` is the unsaved record: the neighbour entry forwarding keeps in it is forgotten.
void forward_untracked(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f) noexcept;
// Ends the flow holding the reply tuple that the new flow `f` needs, when that flow is over:
// a TCP flow closing or closed while `f` opens with a SYN (the client's kernel reused a source
// port towards another port of the VIP, and the backend sees the same tuple again: IPVS's
// conn_reuse_mode and conntrack's TIME_WAIT reuse let it through), or any flow idle past its
// timeout that expiry has not reached yet. A live flow keeps its tuple. Returns whether the
// tuple was freed.
bool free_reply_tuple(pipeline_state& st, const flow& f, bool opening) noexcept;

// acl.cpp — ACLs. Decides the new flows among c[0..n) (bulk, one rte_acl call per set) and
// sets their acl_hold; a denied packet is dropped and admitted[i] left false.
void acl_screen(pipeline_state& st, const snapshot& s, packet_desc* c, unsigned n, uint64_t found,
                bool* admitted) noexcept;
// The same for one new flow; false when it was denied (and dropped).
bool acl_admit(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept;
// A packet of a flow whose acl_hold is not 0: false when it was dropped.
bool acl_on_flow(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f,
                 flow_dir dir) noexcept;

// established.cpp — a packet on its flow: TCP state, counters, then the rewrite of the flow's
// mode.
void forward_on_flow(pipeline_state& st, const snapshot& s, packet_desc& c, uint32_t index,
                     flow_dir dir, bool checksum_verified) noexcept;
void set_state(pipeline_state& st, flow& f, flow_state next) noexcept;
// Ends the flow at `index` before its time because a new connection takes its tuple.
void end_reused_flow(pipeline_state& st, uint32_t index) noexcept;

// rewrite_*.{hpp,cpp} — one file per forwarding mode: rewrite, then egress (NAT's is inline,
// in rewrite_nat.hpp). DR and TUN forward only: their replies bypass the gateway. Both keep
// the entry of the backend's next hop in f.next_hop[forward].
void forward_dr(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f) noexcept;
void forward_tun(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f) noexcept;
void forward_fnat(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f,
                  flow_dir dir) noexcept;
// Full-NAT's local endpoints. Sets f.local_addr and f.local_port to this worker's next local
// endpoint candidate towards f.backend_addr: a pool address, or without a pool the address of
// the interface routing to the backend; false (nothing drawn) when there is no such route.
bool draw_local_endpoint(pipeline_state& st, const snapshot& s, const snapshot_service& svc,
                         flow& f) noexcept;
// Inserts nf.f from the first local endpoint whose reply tuple is free (nf's planned one
// first, if any); returns the index, -EADDRNOTAVAIL when there is no local address or no
// candidate was free, or flow_table::insert()'s errors.
int64_t insert_fnat(pipeline_state& st, const snapshot& s, const snapshot_service& svc,
                    const packet_desc& c, new_flow& nf) noexcept;

// icmp_error.cpp — ICMP errors: about NAT and full-NAT flows (translated and forwarded), and
// the ones the worker originates.
unsigned icmp_error_owner(const pipeline_state& st, const snapshot& s, const uint8_t* icmp,
                          uint32_t len) noexcept;
// An error about none of our flows, sent to an interface's address, is the kernel's.
void handle_icmp_error(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                       ipv4_packet& p) noexcept;
// An ICMP error about `offending` from `src` to its sender, within the rate limit.
void send_icmp_error(pipeline_state& st, const snapshot& s, const rte_ipv4_hdr* offending,
                     uint32_t src, uint8_t type, uint8_t code, uint32_t rest) noexcept;
// A packet whose TTL ends here: answered with time exceeded (rate-limited), dropped, true.
bool ttl_expired(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                 const ipv4_packet& p) noexcept;
// ICMP fragmentation-needed to the source of `offending`, from the address it was sent to.
void send_frag_needed(pipeline_state& st, const snapshot& s, const rte_ipv4_hdr* offending,
                      uint16_t mtu) noexcept;

} // namespace sluice::pipeline
