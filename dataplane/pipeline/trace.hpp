#pragma once
// The trace hooks of a burst (dataplane/README.md, "Tracing"). A burst is traced only when the
// worker found a session armed at its start (trace/hub.hpp); then each packet the session's
// filter may match is observed around the stage that handles it: the worker's drop counters
// and hand-off count before, and after it what became of the packet — dropped (the counter that
// moved names the reason), handed off, queued on a port (its headers as rewritten) or for the
// kernel, or held (waiting for ARP, a fragment). What the flow table holds for the packet's key
// afterwards gives the flow, its backend and scheduler. The stages themselves carry no trace
// code: what they decided is read from their outputs.

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>

#include "dataplane/net/unaligned.hpp"
#include "dataplane/pipeline/packet.hpp"
#include "dataplane/pipeline/state.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/trace/hub.hpp"

namespace sluice::pipeline {

// The worker's counters a stage may move for one packet, read before it runs.
struct trace_mark {
  uint64_t drops[k_drop_reason_count];
  uint64_t handoffs;
};

// The packet's tuple and TCP flags as they are now in `m` (proto 0 when no IPv4 header can be
// read; ports 0 unless TCP/UDP).
trace_tuple read_tuple(const rte_mbuf* m, uint8_t* tcp_flags = nullptr) noexcept;

// Only the IPv4 addresses of `m` into `t` (what trace_filter::may_match_frame() reads), for
// the check every packet of a traced burst gets; false, `t` untouched, without an IPv4 header.
inline bool read_addresses(const rte_mbuf* m, trace_tuple& t) noexcept {
  constexpr std::size_t k_ip = sizeof(rte_ether_hdr);
  if (rte_pktmbuf_data_len(m) < k_ip + sizeof(rte_ipv4_hdr)) return false;
  const auto* frame = rte_pktmbuf_mtod(m, const uint8_t*);
  if (load<uint16_t>(frame + offsetof(rte_ether_hdr, ether_type)) !=
      rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
    return false;
  t.src = load<uint32_t>(frame + k_ip + offsetof(rte_ipv4_hdr, src_addr));
  t.dst = load<uint32_t>(frame + k_ip + offsetof(rte_ipv4_hdr, dst_addr));
  return true;
}
inline trace_tuple addresses_of(const rte_mbuf* m) noexcept {
  trace_tuple t;
  read_addresses(m, t);
  return t;
}

// A record for `m` before a stage handles it: its worker, interface, tuple as it arrived.
trace_record trace_begin(const pipeline_state& st, const rte_mbuf* m, uint16_t in_iface,
                         bool handed_in) noexcept;
void trace_mark_now(const pipeline_state& st, trace_mark& mark) noexcept;

// After the stage: how `m` left (the record's outcome, drop, out_iface, after).
void trace_outcome_of(const pipeline_state& st, const trace_mark& mark, const rte_mbuf* m,
                      trace_record& r) noexcept;
// The flow that `key` (the packet's own, as it arrived) finds now: flow, vip, backend,
// scheduler, next hop. `hit`: whether it had a flow before the stage ran, and that flow's ACL
// hold then: a flow waiting for its payload is judged by this packet (acl_on_flow(), which
// leaves the deciding rule in c.acl_rule).
void trace_flow_of(const pipeline_state& st, const snapshot& s, const flow_key& key, bool hit,
                   uint8_t acl_hold_before, const packet_desc& c, trace_record& r) noexcept;
// Writes the record when the session's filter matches it.
void trace_emit(pipeline_state& st, const trace_session& t, const trace_record& r) noexcept;

// The ACL's say on a new flow's packet, from its descriptor after acl_screen().
inline void trace_acl_of(const packet_desc& c, bool admitted, trace_record& r) noexcept {
  r.acl_rule = c.acl_rule;
  r.acl = !admitted ? trace_acl::denied
          : c.acl_hold != 0 ? trace_acl::pending
                            : trace_acl::allowed;
}

} // namespace sluice::pipeline
