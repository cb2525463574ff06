// The trace hooks' observations (pipeline/trace.hpp). Runs only for the packets of a traced
// burst that its session's filter may match; still noexcept and allocation-free.

#include "dataplane/pipeline/trace.hpp"

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include <cstddef>

#include "dataplane/acl/hold.hpp"
#include "dataplane/net/unaligned.hpp"

namespace sluice::pipeline {

trace_tuple read_tuple(const rte_mbuf* m, uint8_t* tcp_flags) noexcept {
  constexpr std::size_t k_ip = sizeof(rte_ether_hdr);
  trace_tuple t;
  if (!read_addresses(m, t)) return t;
  const auto* frame = rte_pktmbuf_mtod(m, const uint8_t*);
  const uint32_t len = rte_pktmbuf_data_len(m);
  t.proto = frame[k_ip + offsetof(rte_ipv4_hdr, next_proto_id)];
  const std::size_t l4 = k_ip + (frame[k_ip] & 0x0f) * 4u;
  const bool first_fragment =
      (load<uint16_t>(frame + k_ip + offsetof(rte_ipv4_hdr, fragment_offset)) &
       rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) == 0;
  if ((t.proto == IPPROTO_TCP || t.proto == IPPROTO_UDP) && first_fragment && len >= l4 + 4) {
    t.sport = load<uint16_t>(frame + l4);
    t.dport = load<uint16_t>(frame + l4 + 2);
  }
  if (tcp_flags != nullptr && t.proto == IPPROTO_TCP && first_fragment &&
      len > l4 + offsetof(rte_tcp_hdr, tcp_flags))
    *tcp_flags = frame[l4 + offsetof(rte_tcp_hdr, tcp_flags)];
  return t;
}

trace_record trace_begin(const pipeline_state& st, const rte_mbuf* m, uint16_t in_iface,
                         bool handed_in) noexcept {
  trace_record r;
  r.tsc = st.now;
  r.worker = uint8_t(st.id);
  r.in_iface = in_iface;
  r.handed_in = handed_in;
  r.before = read_tuple(m, &r.tcp_flags);
  r.client = r.before.src;
  return r;
}

void trace_mark_now(const pipeline_state& st, trace_mark& mark) noexcept {
  for (std::size_t i = 0; i < k_drop_reason_count; ++i) mark.drops[i] = st.counters.drops[i].get();
  mark.handoffs = st.counters.handoff_out.get();
}

void trace_outcome_of(const pipeline_state& st, const trace_mark& mark, const rte_mbuf* m,
                      trace_record& r) noexcept {
  for (std::size_t i = 0; i < k_drop_reason_count; ++i)
    if (st.counters.drops[i].get() != mark.drops[i]) {
      r.outcome = trace_outcome::dropped;
      r.drop = drop_reason(i);
      return;
    }
  if (st.counters.handoff_out.get() != mark.handoffs) {
    r.outcome = trace_outcome::handed_off;
    return;
  }
  // Only a packet still queued here is read: one that left any other way may be freed already.
  if (const auto q = st.out.queued(m)) {
    r.out_iface = q->iface;
    if (q->kernel) {
      r.outcome = trace_outcome::to_kernel;
      return;
    }
    r.outcome = trace_outcome::forwarded;
    r.after = read_tuple(m);
    return;
  }
  r.outcome = trace_outcome::held;
}

void trace_flow_of(const pipeline_state& st, const snapshot& s, const flow_key& key, bool hit,
                   uint8_t acl_hold_before, const packet_desc& c, trace_record& r) noexcept {
  const auto found = st.flows.lookup(key);
  if (hit && acl_hold_before != k_acl_allowed && acl_hold_before != k_acl_denied &&
      r.acl == trace_acl::not_judged) {
    r.acl_rule = c.acl_rule;
    r.acl = r.outcome == trace_outcome::dropped && r.drop == drop_reason::acl_denied
                ? trace_acl::denied
            : found && st.flows.at(found->index).acl_hold == k_acl_allowed ? trace_acl::allowed
                                                                           : trace_acl::pending;
  }
  if (!found) {
    r.flow = trace_flow::miss;
    return;
  }
  const flow& f = st.flows.at(found->index);
  r.flow = hit ? trace_flow::hit : trace_flow::opened;
  r.reply = found->dir == flow_dir::reply;
  r.client = f.client_addr;
  r.vip = f.vip;
  r.vip_port = f.vip_port;
  r.backend = f.backend_addr;
  r.backend_port = f.backend_port;
  r.mode = uint8_t(f.mode);
  if (const snapshot_service* svc = s.find_vip_service(f.vip, f.vip_port, f.proto))
    r.scheduler = uint8_t(svc->scheduler);
  if (const uint16_t kept = f.next_hop[static_cast<unsigned>(found->dir)];
      kept != k_unresolved_hop && r.outcome == trace_outcome::forwarded)
    r.next_hop = st.out.neighbour_address(kept).v4();
}

void trace_emit(pipeline_state& st, const trace_session& t, const trace_record& r) noexcept {
  if (t.filter.matches(r)) st.trace->emit(st.id, t, r);
}

} // namespace sluice::pipeline
