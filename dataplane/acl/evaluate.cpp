#include "dataplane/acl/evaluate.hpp"

#include <hs/hs_runtime.h>

namespace sluice {
namespace {

constexpr uint32_t k_no_slot = UINT32_MAX;

struct set_outcome {
  bool pending;
  bool deny;
  acl_reply reply;
  uint32_t hit_slot; // k_no_slot while pending
};

struct scan_state {
  const acl_tables* t;
  const acl_set* set;
  const acl_key* key;
  uint32_t best; // rule index within the set; set->rule_count when none
};

// Hyperscan reports each payload rule (id = its index in the set) at most once per scan
// (HS_FLAG_SINGLEMATCH). A reported rule counts only if it comes before the best so far and
// its addresses match too: rte_acl told us only the first rule that matched on addresses.
int on_pattern(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) noexcept {
  auto& s = *static_cast<scan_state*>(ctx);
  if (id >= s.best) return 0;
  const acl_rule& r = s.t->rules[s.set->first_rule + id];
  for (uint32_t k = 0; k < r.term_count; ++k)
    if (s.t->terms[r.first_term + k].matches(*s.key)) {
      s.best = id;
      break;
    }
  return 0;
}

set_outcome rule_outcome(const acl_tables& t, const acl_set& set, uint32_t index) noexcept {
  if (index >= set.rule_count)
    return {false, set.default_action == acl_action::deny, acl_reply::none, set.default_hit_slot};
  const acl_rule& r = t.rules[set.first_rule + index];
  return {false, r.action == acl_action::deny, r.reply, r.hit_slot};
}

// `first_plain` and `first_any` are rte_acl results (rule index + 1, 0: no match) for the rules
// without payload and for every rule.
set_outcome decide_set(const acl_tables& t, const acl_set& set, const acl_flow_input& in,
                       uint32_t first_plain, uint32_t first_any, const acl_worker_ctx& w) noexcept {
  const uint32_t plain = first_plain == 0 ? set.rule_count : first_plain - 1;
  if (first_any == 0 || !t.rules[set.first_rule + first_any - 1].has_payload)
    return rule_outcome(t, set, first_any == 0 ? set.rule_count : first_any - 1);
  // A payload rule matches on addresses before any address-only rule: the payload decides.
  if (in.can_wait) return {true, false, acl_reply::none, k_no_slot};
  scan_state st{&t, &set, &in.key, plain};
  if (in.payload_len != 0 && set.db != nullptr) {
    w.scans->add();
    hs_scan(set.db, reinterpret_cast<const char*>(in.payload), in.payload_len, 0,
            t.scratch[w.worker_id], on_pattern, &st);
  }
  return rule_outcome(t, set, st.best);
}

void count_hit(const acl_worker_ctx& w, uint32_t slot) noexcept {
  if (slot < w.hit_slots) w.hits[slot].add();
}

} // namespace

void acl_decide_burst(const acl_snapshot& acl, const acl_flow_input* in, unsigned n,
                      acl_decision* out, const acl_worker_ctx& w) noexcept {
  const acl_tables& t = *acl.tables;
  uint32_t slots[k_acl_burst_max][k_acl_max_sets_per_flow];
  bool pending[k_acl_burst_max] = {};
  bool decided[k_acl_burst_max] = {}; // denied by some set: later sets are not evaluated
  uint8_t evaluated[k_acl_burst_max] = {};
  unsigned max_sets = 0;
  for (unsigned i = 0; i < n; ++i) {
    out[i] = {};
    if (in[i].list->count > max_sets) max_sets = in[i].list->count;
  }

  for (unsigned pos = 0; pos < max_sets; ++pos) {
    bool todo[k_acl_burst_max];
    for (unsigned i = 0; i < n; ++i) todo[i] = !decided[i] && pos < in[i].list->count;
    for (unsigned lead = 0; lead < n; ++lead) {
      if (!todo[lead]) continue;
      // Every flow whose set at this position is the lead's goes into one classify call.
      const uint16_t set_index = acl.lists[in[lead].list->first + pos];
      const acl_set& set = t.sets[set_index];
      const uint8_t* data[k_acl_burst_max];
      uint8_t who[k_acl_burst_max];
      unsigned m = 0;
      for (unsigned i = lead; i < n; ++i)
        if (todo[i] && acl.lists[in[i].list->first + pos] == set_index) {
          todo[i] = false;
          who[m] = uint8_t(i);
          data[m++] = reinterpret_cast<const uint8_t*>(&in[i].key);
        }
      uint32_t results[k_acl_burst_max * RTE_ACL_MAX_CATEGORIES] = {};
      if (set.ctx != nullptr) rte_acl_classify(set.ctx, data, results, m, set.categories);
      for (unsigned j = 0; j < m; ++j) {
        const unsigned i = who[j];
        const uint32_t* r = results + j * set.categories;
        const uint32_t first_any = set.categories == 1 ? r[0] : r[1];
        const set_outcome o = decide_set(t, set, in[i], r[0], first_any, w);
        slots[i][pos] = o.hit_slot;
        evaluated[i] = uint8_t(pos + 1);
        if (o.pending) {
          pending[i] = true;
        } else if (o.deny) {
          decided[i] = true;
          out[i] = {acl_outcome::deny, o.reply, o.hit_slot};
        }
      }
    }
  }

  for (unsigned i = 0; i < n; ++i) {
    if (!decided[i] && pending[i]) {
      out[i].outcome = acl_outcome::pending;
      continue;
    }
    for (unsigned pos = 0; pos < evaluated[i]; ++pos)
      if (slots[i][pos] != k_no_slot) count_hit(w, slots[i][pos]);
    if (!decided[i] && evaluated[i] != 0) out[i].rule_slot = slots[i][evaluated[i] - 1];
  }
}

acl_decision acl_decide_one(const acl_snapshot& acl, const acl_flow_input& in,
                            const acl_worker_ctx& w) noexcept {
  acl_decision d;
  acl_decide_burst(acl, &in, 1, &d, w);
  return d;
}

} // namespace sluice
