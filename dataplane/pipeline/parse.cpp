// The first stage of a burst: parse and validate each packet into its descriptor (Ethernet,
// then ARP or IPv4, fragments reassembled, L4 header checked), then look the burst's flows up
// in the table in runs and hand the burst to the lookup stage. What is not TCP/UDP flow traffic
// leaves here for local delivery, ARP or the ICMP error path.

#include <rte_ether.h>
#include <rte_prefetch.h>

#include "dataplane/arp/arp.hpp"
#include "dataplane/icmp/error.hpp"
#include "dataplane/pipeline/stages.hpp"
#include "dataplane/pipeline/trace.hpp"

namespace sluice::pipeline {
namespace {

// Packets whose first line is requested ahead of parsing them.
constexpr unsigned k_prefetch_ahead = 4;

bool frame_is_for(const rte_ether_hdr* eth, const rte_ether_addr& ours) noexcept {
  return rte_is_same_ether_addr(&eth->dst_addr, &ours) ||
         rte_is_broadcast_ether_addr(&eth->dst_addr);
}

// The NIC's verdict on the IPv4 header checksum. NONE: the header's integrity was verified though
// its checksum field is not correct (rte_mbuf_core.h), as good as GOOD for accepting it. Only an
// mbuf as the NIC filled it carries one: reassembled datagrams are rebuilt in buffers whose flags
// are cleared (reassemble.cpp).
header_checksum ip_checksum_verdict(const rte_mbuf* m) noexcept {
  switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
  case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
  case RTE_MBUF_F_RX_IP_CKSUM_NONE:
    return header_checksum::nic_good;
  case RTE_MBUF_F_RX_IP_CKSUM_BAD:
    return header_checksum::nic_bad;
  default:
    return header_checksum::unverified;
  }
}

// classify() for a packet of a traced burst: observed when the session may match it and a stage
// before the flow lookup consumes it (it is observed again there otherwise).
bool classify_traced(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                     packet_desc& c, const burst_trace& trace) noexcept {
  // Only the addresses first: most packets go on to the flow lookup, judged there by their flow.
  if (!trace.session->filter.may_match_frame(addresses_of(m))) return classify(st, s, in_iface, m, c);
  trace_record r = trace_begin(st, m, in_iface, trace.handed_in);
  trace_mark mark;
  trace_mark_now(st, mark);
  if (!classify(st, s, in_iface, m, c)) return false;
  trace_outcome_of(st, mark, m, r);
  r.local = r.outcome != trace_outcome::dropped;
  trace_emit(st, *trace.session, r);
  return true;
}

template <bool Traced>
void run_burst(pipeline_state& st, const snapshot& s, rte_mbuf** pkts, unsigned n, int in_iface,
               const burst_trace& trace) noexcept {
  packet_desc cands[k_burst];
  flow_table::probe probes[k_burst];
  unsigned nc = 0;
  for (unsigned i = 0; i < k_prefetch_ahead && i < n; ++i)
    rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  for (unsigned i = 0; i < n; ++i) {
    if (i + k_prefetch_ahead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + k_prefetch_ahead], void*));
    const uint16_t iface =
        in_iface == k_iface_from_mbuf ? st.iface_of_port[pkts[i]->port] : uint16_t(in_iface);
    if constexpr (Traced) {
      if (classify_traced(st, s, iface, pkts[i], cands[nc], trace)) continue;
    } else {
      if (classify(st, s, iface, pkts[i], cands[nc])) continue;
    }
    st.flows.prepare(key_of(cands[nc]), probes[nc]);
    ++nc;
  }
  // The table's loads in runs, not one per packet between other work: a load or prefetch that
  // misses the TLB holds up retirement for its page walk, so a run keeps many walks in flight
  // while one per packet serialises them (at a million flows nearly every bucket misses it).
  for (unsigned i = 0; i < nc; ++i)
    st.flows.fetch(probes[i]);
  for (unsigned i = 0; i < nc; ++i)
    st.flows.match(probes[i]);
  if (nc) forward_flows<Traced>(st, s, cands, probes, nc, trace);
}

} // namespace

void process_burst(pipeline_state& st, const snapshot& s, rte_mbuf** pkts, unsigned n,
                   int in_iface) noexcept {
  // The one trace check of a burst: a load and a branch that is not taken while nothing is armed.
  if (const trace_session* t = st.trace != nullptr ? st.trace->armed() : nullptr) [[unlikely]] {
    if (t->live(st.now))
      return run_burst<true>(st, s, pkts, n, in_iface,
                             {.session = t, .handed_in = in_iface == k_iface_from_mbuf});
  }
  run_burst<false>(st, s, pkts, n, in_iface, {});
}

bool classify(pipeline_state& st, const snapshot& s, uint16_t in_iface, rte_mbuf* m,
              packet_desc& c) noexcept {
  const uint32_t len = rte_pktmbuf_data_len(m);
  if (len < sizeof(rte_ether_hdr)) return st.out.drop(m, drop_reason::frame_truncated), true;
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (!frame_is_for(eth, s.ifaces[in_iface].mac))
    return st.out.drop(m, drop_reason::not_our_mac), true;

  uint8_t* l3 = reinterpret_cast<uint8_t*>(eth + 1);
  const uint32_t l3_len = len - sizeof(rte_ether_hdr);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
    if (const auto bad = parse_arp(l3, l3_len)) return st.out.drop(m, *bad), true;
    handle_arp(st, s, in_iface, m);
    return true;
  }
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
    return st.out.drop(m, drop_reason::ethertype_unsupported), true;
  // IPv4 traffic must be unicast to us; broadcast is only for ARP.
  if (rte_is_broadcast_ether_addr(&eth->dst_addr))
    return st.out.drop(m, drop_reason::not_our_mac), true;

  ipv4_packet& p = c.pkt;
  if (const auto bad = parse_ipv4(l3, l3_len, p, ip_checksum_verdict(m))) {
    if (*bad != drop_reason::ip_fragment) return st.out.drop(m, *bad), true;
    // A whole datagram comes back once its last fragment arrived: classified like any packet.
    rte_mbuf* whole = reassemble(st, s, in_iface, m);
    return whole == nullptr || classify(st, s, in_iface, whole, c);
  }
  if (const auto bad = check_l4_header(p)) return st.out.drop(m, *bad), true;
  if (is_icmp_error(p)) return handle_icmp_error(st, s, in_iface, m, p), true;
  c.m = m;
  c.family = addr_family::ipv4;
  c.in_iface = in_iface;
  c.dest_known = false;
  if ((p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP) && p.ip->time_to_live > 1) return false;
  deliver_locally(st, s, c);
  return true;
}

} // namespace sluice::pipeline
