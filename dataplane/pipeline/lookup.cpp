// The burst's flow lookup, decided: one bulk confirmation of the probes the parse stage
// prepared, then hits go to their flows (established.cpp) and misses are resolved, screened by
// the ACLs and scheduled together (miss.cpp). A traced burst (Traced, pipeline/trace.hpp) is the
// same code with each packet its session may match observed around the stage that handles it.

#include <array>
#include <bit>
#include <type_traits>

#include "dataplane/pipeline/stages.hpp"
#include "dataplane/pipeline/trace.hpp"

namespace sluice::pipeline {
namespace {

trace_tuple tuple_of(const packet_desc& c) noexcept {
  const auto* ports = reinterpret_cast<const uint16_t*>(c.pkt.l4);
  return {.src = c.pkt.ip->src_addr,
          .dst = c.pkt.ip->dst_addr,
          .sport = ports[0],
          .dport = ports[1],
          .proto = c.pkt.proto};
}

// A record's room on the stack, left unwritten until its packet turns out to be watched: a
// burst's worth of default-initialised records would cost more than the watching.
union record_slot {
  record_slot() noexcept {}
  trace_record r;
};

// The packets of the burst a traced session may match, as a mask.
uint64_t watched_of(const pipeline_state& st, const trace_filter& f, const packet_desc* c,
                    const flow_hit* hits, uint64_t found, unsigned n) noexcept {
  uint64_t watched = 0;
  for (unsigned i = 0; i < n; ++i) {
    const bool hit = found >> i & 1;
    if (hit ? f.may_match_flow(st.flows.at(hits[i].index)) : f.may_match_new(tuple_of(c[i])))
      watched |= uint64_t{1} << i;
  }
  return watched;
}

} // namespace

template <bool Traced>
void forward_flows(pipeline_state& st, const snapshot& s, packet_desc* c,
                   const flow_table::probe* probes, unsigned n, const burst_trace& trace) noexcept {
  flow_hit hits[k_burst];
  // Also leaves the found flows' records in cache (the lookup confirms keys against them).
  const uint64_t found = st.flows.confirm_bulk(probes, n, hits);
  [[maybe_unused]] uint64_t watched = 0;
  // Only the traced instantiation has the records (nothing is built for an untraced burst).
  [[maybe_unused]] std::conditional_t<Traced, std::array<record_slot, k_burst>, char> slots;
  [[maybe_unused]] std::conditional_t<Traced, trace_mark, char> mark;
  [[maybe_unused]] uint8_t hold_before = 0; // a watched hit's flow::acl_hold before its packet
  if constexpr (Traced) {
    watched = watched_of(st, trace.session->filter, c, hits, found, n);
    for (uint64_t w = watched; w != 0; w &= w - 1) {
      const unsigned i = unsigned(std::countr_zero(w));
      slots[i].r = trace_begin(st, c[i].m, c[i].in_iface, trace.handed_in);
      c[i].acl_rule = k_trace_no_rule;
    }
  }
  uint64_t consumed = 0; // misses to a VIP port without a service
  for (unsigned i = 0; i < n; ++i) {
    if (found & (uint64_t{1} << i)) continue;
    if constexpr (Traced)
      if (watched >> i & 1) trace_mark_now(st, mark);
    if (!resolve_destination(st, s, c[i])) {
      consumed |= uint64_t{1} << i;
      if constexpr (Traced)
        if (watched >> i & 1) {
          slots[i].r.flow = trace_flow::miss;
          trace_outcome_of(st, mark, c[i].m, slots[i].r);
          trace_emit(st, *trace.session, slots[i].r);
        }
    }
  }
  bool admitted[k_burst];
  if (s.acl != nullptr) acl_screen(st, s, c, n, found | consumed, admitted);
  // The burst's new NAT and full-NAT flows are scheduled before any is inserted: a flow's reply
  // tuple is known only once its backend (and for full-NAT its local endpoint) is chosen, and the
  // home buckets of all of them load together instead of one at each insert (a cold read that
  // was ~10 % of a new flow's cost at 1M flows).
  uint64_t opening = 0; // misses with a service, admitted
  const uint64_t decided = found | consumed;
  static_assert(k_burst < 64, "burst masks are 64-bit");
  if (decided != (uint64_t{1} << n) - 1)
    for (unsigned i = 0; i < n; ++i)
      if (!(decided >> i & 1) && c[i].service != nullptr && (s.acl == nullptr || admitted[i]))
        opening |= uint64_t{1} << i;
  const uint64_t plans = opening != 0 ? plan_new_flows(st, s, c, probes, n, opening) : 0;
  const uint64_t created_before = st.ledger.opened_so_far();
  const uint64_t erased_before = st.flows.erasures();
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    if constexpr (Traced) {
      if (watched & bit) {
        if (consumed & bit) continue; // recorded above
        const bool judged = s.acl != nullptr && !(found & bit) && c[i].service != nullptr;
        if (judged) trace_acl_of(c[i], admitted[i], slots[i].r);
        if (judged && !admitted[i]) {
          // acl_screen() dropped it (after its reply, if the rule sends one).
          slots[i].r.flow = trace_flow::miss;
          slots[i].r.outcome = trace_outcome::dropped;
          slots[i].r.drop = drop_reason::acl_denied;
          trace_emit(st, *trace.session, slots[i].r);
          continue;
        }
        if (found & bit) {
          hold_before = st.flows.at(hits[i].index).acl_hold;
          c[i].acl_rule = k_trace_no_rule;
        }
        trace_mark_now(st, mark);
      }
    }
    if (found & bit) {
      if (st.flows.erasures() == erased_before) {
        forward_on_flow(st, s, c[i], hits[i].index, hits[i].dir, false);
      } else if (const auto hit = st.flows.lookup(probes[i].key)) {
        // An earlier packet of this burst erased a flow (a reused tuple), whose slot a flow
        // opened since may hold: the hit is looked up again, and if its flow is gone it is a
        // miss decided on its own, as it would have been in a burst of its own.
        forward_on_flow(st, s, c[i], hit->index, hit->dir, false);
      } else if (resolve_destination(st, s, c[i]) &&
                 (c[i].service == nullptr || s.acl == nullptr || acl_admit(st, s, c[i]))) {
        forward_miss(st, s, c[i], probes[i].key, created_before);
      }
    } else if (consumed & bit) {
      continue; // resolve_destination() dropped and counted it
    } else if (s.acl != nullptr && !admitted[i]) {
      continue; // acl_screen() dropped and counted it
    } else {
      forward_miss(st, s, c[i], probes[i].key, created_before,
                   plans & bit ? &st.planned[i] : nullptr);
    }
    if constexpr (Traced) {
      if (watched & bit) {
        trace_outcome_of(st, mark, c[i].m, slots[i].r);
        trace_flow_of(st, s, probes[i].key, found & bit, hold_before, c[i], slots[i].r);
        trace_emit(st, *trace.session, slots[i].r);
      }
    }
  }
}

template void forward_flows<false>(pipeline_state&, const snapshot&, packet_desc*,
                                   const flow_table::probe*, unsigned, const burst_trace&) noexcept;
template void forward_flows<true>(pipeline_state&, const snapshot&, packet_desc*,
                                  const flow_table::probe*, unsigned, const burst_trace&) noexcept;

} // namespace sluice::pipeline
