#pragma once
// ACL verdicts for flows. A flow is allowed only when every set of its list allows it (global
// sets first, then the service's); within a set the first matching rule wins, else the set's
// default. Address rules are decided by rte_acl alone; a rule with payload patterns also needs
// the flow's first payload-bearing packet, scanned with the set's Hyperscan database. Patterns
// are matched against that one packet's payload only: a pattern split across TCP segments is
// not matched (block mode, no stream reassembly) — a deliberate bound on the per-flow cost.
//
// Everything here is noexcept and allocation-free: it runs on worker lcores.

#include <cstdint>

#include "dataplane/acl/tables.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

enum class acl_outcome : uint8_t { allow, deny, pending };

struct acl_decision {
  acl_outcome outcome = acl_outcome::allow;
  acl_reply reply = acl_reply::none; // what a deny sends back
  // The hit slot of the rule (or set default) that decided: the denying set's, or the last
  // set's for an allow; UINT32_MAX while pending or when no set applies.
  uint32_t rule_slot = UINT32_MAX;
};

struct acl_flow_input {
  acl_key key;
  const acl_list* list;        // the sets that apply (acl_snapshot::by_service)
  const uint8_t* payload;      // the packet's L4 payload (may be empty)
  uint32_t payload_len;
  bool can_wait;               // no payload yet and the flow may wait for it (TCP)
};

// The worker's share of ACL state: its scratch, its hit counters, its scan counter.
struct acl_worker_ctx {
  unsigned worker_id;
  counter* hits;      // by acl_rule::hit_slot / acl_set::default_hit_slot
  uint32_t hit_slots; // size of hits; slots beyond it are not counted
  counter* scans;     // Hyperscan scans performed
};

inline constexpr unsigned k_acl_burst_max = 64;

// Decides `n` (<= k_acl_burst_max) flows with one rte_acl_classify() call per set and list
// position. A pending decision counts no hit (the flow is decided again when its payload
// arrives); allow and deny decisions count one hit per set that was evaluated.
void acl_decide_burst(const acl_snapshot& acl, const acl_flow_input* in, unsigned n,
                      acl_decision* out, const acl_worker_ctx& w) noexcept;

// One flow, as acl_decide_burst() would decide it.
acl_decision acl_decide_one(const acl_snapshot& acl, const acl_flow_input& in,
                            const acl_worker_ctx& w) noexcept;

} // namespace sluice
