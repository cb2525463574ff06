// Multi-worker steering: every packet is processed by the worker that owns its flow
// (worker/handoff.hpp explains the ownership rule).

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstddef>

#include "dataplane/icmp/error.hpp"
#include "dataplane/net/unaligned.hpp"
#include "dataplane/pipeline/stages.hpp"
#include "dataplane/pipeline/trace.hpp"

namespace sluice::pipeline {

unsigned owner_of(const pipeline_state& st, const snapshot& s, const rte_mbuf* m) noexcept {
  // Only the fields needed to find the client are read; a malformed packet lands somewhere and
  // is dropped, with its reason, by whoever processes it.
  constexpr std::size_t k_ip = sizeof(rte_ether_hdr);
  if (rte_pktmbuf_data_len(m) < k_ip + sizeof(rte_ipv4_hdr)) return st.id;
  const auto* frame = rte_pktmbuf_mtod(m, const uint8_t*);
  if (load<uint16_t>(frame + offsetof(rte_ether_hdr, ether_type)) !=
      rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
    return st.id; // ARP and the rest: handled where they arrive
  const uint32_t src = load<uint32_t>(frame + k_ip + offsetof(rte_ipv4_hdr, src_addr));
  const uint32_t dst = load<uint32_t>(frame + k_ip + offsetof(rte_ipv4_hdr, dst_addr));
  const std::size_t ihl = (frame[k_ip] & 0x0f) * 4u;
  const uint8_t proto = frame[k_ip + offsetof(rte_ipv4_hdr, next_proto_id)];
  if (proto == IPPROTO_ICMP && rte_pktmbuf_data_len(m) > k_ip + ihl) {
    const uint8_t type = frame[k_ip + ihl];
    if (type == k_icmp_dest_unreachable || type == k_icmp_time_exceeded)
      return icmp_error_owner(st, s, frame + k_ip + ihl,
                              rte_pktmbuf_data_len(m) - uint32_t(k_ip + ihl));
  }
  const local_address local = s.local_addrs.find_ipv4(dst);
  if (!local) return flow_owner(dst, st.workers); // a reply: client = dst
  if (local.is(local_kind::vip)) return flow_owner(src, st.workers);
  // To a full-NAT local address (or an interface address, the default one): a reply, whose
  // destination port names the owner (xmit/fnat.hpp). Only a first fragment shows that port: the
  // fragments of a datagram meet where their addresses and ID hash to, and the whole datagram
  // goes on to its owner from there (reassemble.cpp).
  if (load<uint16_t>(frame + k_ip + offsetof(rte_ipv4_hdr, fragment_offset)) &
      rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
    return flow_owner(src ^ load<uint16_t>(frame + k_ip + offsetof(rte_ipv4_hdr, packet_id)),
                      st.workers);
  if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
      rte_pktmbuf_data_len(m) < k_ip + ihl + 4)
    return st.id;
  return fnat_port_owner(load<uint16_t>(frame + k_ip + ihl + 2), st.workers);
}

namespace {

// A hand-off of a traced burst, observed when the session may match the packet (the owner
// traces the rest of its way).
void hand_off_traced(pipeline_state& st, const trace_session& t, unsigned owner, uint16_t in_iface,
                     rte_mbuf* m) noexcept {
  if (!t.live(st.now) || !t.filter.may_match_frame(addresses_of(m)))
    return st.out.to_worker(owner, in_iface, m);
  trace_record r = trace_begin(st, m, in_iface, false);
  trace_mark mark;
  trace_mark_now(st, mark);
  st.out.to_worker(owner, in_iface, m);
  trace_outcome_of(st, mark, m, r);
  r.handoff_to = uint8_t(owner);
  trace_emit(st, t, r);
}

} // namespace

void steer(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf** pkts,
           unsigned n) noexcept {
  rte_mbuf* mine[k_burst];
  unsigned n_mine = 0;
  const trace_session* t = st.trace != nullptr ? st.trace->armed() : nullptr;
  for (unsigned i = 0; i < n; ++i) {
    const unsigned owner = owner_of(st, s, pkts[i]);
    if (owner == st.id) {
      mine[n_mine++] = pkts[i];
      continue;
    }
    // One enqueue per packet keeps arrival order per owner; bursts per owner would need a
    // per-owner staging array for a gain that only matters beyond two workers.
    if (t != nullptr) [[unlikely]]
      hand_off_traced(st, *t, owner, in_iface, pkts[i]);
    else
      st.out.to_worker(owner, in_iface, pkts[i]);
  }
  if (n_mine) process_burst(st, s, mine, n_mine, in_iface);
}

unsigned receive_handoffs(pipeline_state& st, const snapshot& s) noexcept {
  rte_mbuf* pkts[k_burst];
  unsigned received = 0;
  for (unsigned from = 0; from < st.workers; ++from) {
    if (from == st.id) continue;
    const unsigned n = rte_ring_sc_dequeue_burst(st.mesh->packets(from, st.id),
                                                 reinterpret_cast<void**>(pkts), k_burst, nullptr);
    if (n == 0) continue;
    st.counters.handoff_in.add(n);
    received += n;
    process_burst(st, s, pkts, n, k_iface_from_mbuf);
  }
  neighbour_update u[8];
  unsigned n;
  while ((n = rte_ring_sc_dequeue_burst_elem(st.mesh->neighbour_updates(st.id), u, sizeof u[0], 8,
                                             nullptr)) != 0)
    for (unsigned i = 0; i < n; ++i)
      st.out.learn_neighbour(s, u[i].iface, u[i].addr, u[i].mac);
  return received;
}

} // namespace sluice::pipeline
