#pragma once
// Compiled ACLs as the workers read them (built by control/acl/compile.cpp, published with the
// snapshot, never edited after). One rte_acl context and at most one Hyperscan block-mode
// database per rule set; see control/acl/compile.cpp for why per set and not per service.

#include <hs/hs_runtime.h>
#include <rte_acl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/acl/action.hpp"

namespace sluice {

// The 5-tuple handed to rte_acl_classify(), in network byte order, laid out as the field
// definitions in control/acl/compile.cpp describe (rte_acl wants a 1-byte first field and the
// rest in 4-byte groups).
struct acl_key {
  uint8_t proto;
  uint8_t pad[3];
  uint32_t src;
  uint32_t dst;
  uint16_t src_port;
  uint16_t dst_port;
};
static_assert(sizeof(acl_key) == 16);

// One address/port/protocol combination of a rule (a rule with 2 sources and 3 port ranges has
// 6). rte_acl matches these; the dataplane re-checks them in software only for payload rules,
// whose match depends on a later Hyperscan scan.
struct acl_term {
  uint32_t src;      // network byte order, masked
  uint32_t src_mask; // network byte order
  uint32_t dst;
  uint32_t dst_mask;
  uint16_t port_lo;  // host byte order, inclusive
  uint16_t port_hi;
  uint8_t proto;     // 0: TCP and UDP

  bool matches(const acl_key& k) const noexcept;
};


struct acl_rule {
  acl_action action;
  acl_reply reply;
  bool has_payload;
  uint32_t first_term; // into acl_tables::terms
  uint32_t term_count;
  uint32_t hit_slot;   // per-worker hit counter (worker_stats::acl_hits)
};

struct acl_set {
  rte_acl_ctx* ctx = nullptr;     // null when the set has no rules
  hs_database_t* db = nullptr;    // payload patterns (id = rule index in the set); null: none
  uint32_t first_rule = 0;        // into acl_tables::rules
  uint32_t rule_count = 0;
  acl_action default_action = acl_action::allow;
  uint32_t default_hit_slot = 0;
  // rte_acl categories: 0 = rules without payload, 1 = every rule. A set without payload rules
  // is classified with one category only (cheaper); one with them with RTE_ACL_RESULTS_MULTIPLIER.
  uint32_t categories = 1;
};

// Owns its contexts, databases and scratches; freed by the snapshot that holds the last
// reference, i.e. only after every worker has passed an RCU quiescent state.
class acl_tables {
public:
  acl_tables() = default;
  ~acl_tables();
  acl_tables(const acl_tables&) = delete;
  acl_tables& operator=(const acl_tables&) = delete;

  std::vector<acl_set> sets;
  std::vector<acl_rule> rules;
  std::vector<acl_term> terms;
  // One Hyperscan scratch per worker, large enough for every database above. Worker i uses
  // scratch[i] and nothing else does, so it is written by exactly one thread; two snapshots
  // that share these tables hand the same scratch to the same worker, which uses one snapshot
  // at a time. Empty when no set has payload rules.
  std::vector<hs_scratch_t*> scratch;
  // Labels for the admin API and metrics (control side only), parallel to sets and rules.
  std::vector<std::string> set_names;
  std::vector<std::string> rule_names;
};

// Which sets apply to a service: global sets first, then the service's own, in order.
struct acl_list {
  uint16_t first = 0; // into acl_snapshot::lists
  uint16_t count = 0;
};

inline constexpr unsigned k_acl_max_sets_per_flow = 16;

struct acl_snapshot {
  std::shared_ptr<const acl_tables> tables; // shared by snapshots until the ACL config changes
  std::vector<uint16_t> lists;              // set indices
  std::vector<acl_list> by_service;         // parallel to snapshot::services
  uint8_t initial_hold = 1;                 // acl_initial_hold(dataplane.acl_pending_packets)
};

} // namespace sluice
