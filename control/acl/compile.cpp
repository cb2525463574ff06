// Why one rte_acl context per rule set and not per service: sets are what operators share (one
// "edge" set on every VIP, one allow-list on several services), so per-set contexts are built
// once however many services use them — build time and memory scale with rules, not with
// rules x services — and a service change needs no rebuild at all. The price is one
// rte_acl_classify() call per distinct set in a burst's new flows instead of one per burst;
// the dataplane groups the burst's flows by set (dataplane/acl/evaluate.cpp), so a typical
// burst (global set + its service's set) costs two calls.

#include "control/acl/compile.hpp"

#include <arpa/inet.h>
#include <hs/hs.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <set>

#include "control/acl/effective.hpp"
#include "control/acl/patterns.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/acl/hold.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

enum acl_field : uint8_t { f_proto, f_src, f_dst, f_src_port, f_dst_port, f_count };

RTE_ACL_RULE_DEF(acl_ipv4_rule, f_count);

// The layout of acl_key: a 1-byte first field, then 4-byte groups (the ports share one).
const rte_acl_field_def k_fields[f_count] = {
    {.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = sizeof(uint8_t), .field_index = f_proto,
     .input_index = 0, .offset = offsetof(acl_key, proto)},
    {.type = RTE_ACL_FIELD_TYPE_MASK, .size = sizeof(uint32_t), .field_index = f_src,
     .input_index = 1, .offset = offsetof(acl_key, src)},
    {.type = RTE_ACL_FIELD_TYPE_MASK, .size = sizeof(uint32_t), .field_index = f_dst,
     .input_index = 2, .offset = offsetof(acl_key, dst)},
    {.type = RTE_ACL_FIELD_TYPE_RANGE, .size = sizeof(uint16_t), .field_index = f_src_port,
     .input_index = 3, .offset = offsetof(acl_key, src_port)},
    {.type = RTE_ACL_FIELD_TYPE_RANGE, .size = sizeof(uint16_t), .field_index = f_dst_port,
     .input_index = 3, .offset = offsetof(acl_key, dst_port)},
};

// Category bits: 0 = rules without payload, 1 = every rule (dataplane/acl/tables.hpp).
constexpr uint32_t k_plain_categories = 0b11;
constexpr uint32_t k_payload_categories = 0b10;

struct ctx_deleter {
  void operator()(rte_acl_ctx* c) const noexcept { rte_acl_free(c); }
};

// rte_acl_create() returns the existing context when the name is taken, so every context gets a
// name of its own for the life of the process.
std::string next_context_name() {
  static std::atomic<uint64_t> n{0};
  return "sluice_acl_" + std::to_string(n.fetch_add(1));
}

std::vector<acl_term> terms_of(const acl_rule_config& r) {
  const std::vector<ip_prefix> any{{0, 0}};
  const std::vector<port_range> all_ports{{0, 65535}};
  std::vector<acl_term> out;
  for (const ip_prefix& s : r.src.empty() ? any : r.src)
    for (const ip_prefix& d : r.dst.empty() ? any : r.dst)
      for (const port_range& p : r.dst_ports.empty() ? all_ports : r.dst_ports)
        out.push_back({.src = s.addr,
                       .src_mask = prefix_mask(s.len),
                       .dst = d.addr,
                       .dst_mask = prefix_mask(d.len),
                       .port_lo = p.lo,
                       .port_hi = p.hi,
                       .proto = r.proto});
  return out;
}

acl_ipv4_rule to_acl_rule(const acl_term& t, uint32_t priority, uint32_t userdata,
                          uint32_t categories) {
  acl_ipv4_rule r{};
  r.data = {.category_mask = categories, .priority = int32_t(priority), .userdata = userdata};
  r.field[f_proto].value.u8 = t.proto;
  r.field[f_proto].mask_range.u8 = t.proto == 0 ? 0 : 0xff;
  r.field[f_src].value.u32 = ntohl(t.src); // rules in host order, keys in network order
  r.field[f_src].mask_range.u32 = uint32_t(__builtin_popcount(t.src_mask));
  r.field[f_dst].value.u32 = ntohl(t.dst);
  r.field[f_dst].mask_range.u32 = uint32_t(__builtin_popcount(t.dst_mask));
  r.field[f_src_port].value.u16 = 0;
  r.field[f_src_port].mask_range.u16 = 0xffff;
  r.field[f_dst_port].value.u16 = t.port_lo;
  r.field[f_dst_port].mask_range.u16 = t.port_hi;
  return r;
}

std::shared_ptr<const acl_tables> build_tables(const std::vector<acl_set_config>& sets,
                                               unsigned workers, slot_registry& hit_slots) {
  auto t = std::make_shared<acl_tables>();
  std::set<std::string> live;
  auto slot_of = [&](const std::string& set, const std::string& rule) {
    const std::string id = acl_hit_identity(set, rule);
    live.insert(id);
    const auto slot = hit_slots.acquire(id);
    if (!slot) throw compile_error("more ACL rules than dataplane.max_acl_rules");
    return *slot;
  };
  for (const acl_set_config& sc : sets) {
    acl_set set{.first_rule = uint32_t(t->rules.size()),
                .rule_count = uint32_t(sc.rules.size()),
                .default_action = sc.default_action,
                .default_hit_slot = slot_of(sc.name, "")};
    bool payload = false;
    for (const acl_rule_config& r : sc.rules) payload = payload || !r.payload.empty();
    set.categories = payload ? RTE_ACL_RESULTS_MULTIPLIER : 1;

    std::vector<acl_ipv4_rule> acl_rules;
    for (uint32_t i = 0; i < sc.rules.size(); ++i) {
      const acl_rule_config& rc = sc.rules[i];
      const std::vector<acl_term> terms = terms_of(rc);
      t->rules.push_back({.action = rc.action,
                          .reply = rc.reply,
                          .has_payload = !rc.payload.empty(),
                          .first_term = uint32_t(t->terms.size()),
                          .term_count = uint32_t(terms.size()),
                          .hit_slot = slot_of(sc.name, rc.name)});
      t->rule_names.push_back(rc.name);
      for (const acl_term& term : terms) {
        t->terms.push_back(term);
        // First match wins: earlier rules get higher priorities. userdata 0 means "no match".
        acl_rules.push_back(to_acl_rule(term, RTE_ACL_MAX_PRIORITY - i, i + 1,
                                        rc.payload.empty() ? k_plain_categories
                                                           : k_payload_categories));
      }
    }
    if (!acl_rules.empty()) {
      const std::string name = next_context_name();
      const rte_acl_param param{.name = name.c_str(),
                                .socket_id = SOCKET_ID_ANY,
                                .rule_size = RTE_ACL_RULE_SZ(f_count),
                                .max_rule_num = uint32_t(acl_rules.size())};
      std::unique_ptr<rte_acl_ctx, ctx_deleter> ctx(rte_acl_create(&param));
      if (!ctx) throw compile_error("acls[" + sc.name + "]: rte_acl_create failed");
      if (rte_acl_add_rules(ctx.get(), reinterpret_cast<const rte_acl_rule*>(acl_rules.data()),
                            uint32_t(acl_rules.size())) != 0)
        throw compile_error("acls[" + sc.name + "]: rte_acl_add_rules failed");
      rte_acl_config cfg{};
      cfg.num_categories = set.categories;
      cfg.num_fields = f_count;
      std::copy(std::begin(k_fields), std::end(k_fields), cfg.defs);
      if (const int rc = rte_acl_build(ctx.get(), &cfg); rc != 0)
        throw compile_error("acls[" + sc.name + "]: rte_acl_build failed (" + std::to_string(rc) +
                            ")");
      set.ctx = ctx.release();
    }
    std::string error;
    hs_database_ptr db = compile_payload_database(sc, error);
    if (!error.empty()) {
      t->sets.push_back(set); // freed with t
      throw compile_error("acls[" + sc.name + "]: " + error);
    }
    set.db = db.release();
    t->sets.push_back(set);
    t->set_names.push_back(sc.name);
  }

  // One scratch grown to fit every database, then cloned per worker: no worker ever allocates.
  hs_scratch_t* proto = nullptr;
  for (const acl_set& s : t->sets)
    if (s.db != nullptr && hs_alloc_scratch(s.db, &proto) != HS_SUCCESS)
      throw compile_error("Hyperscan cannot allocate scratch space");
  if (proto != nullptr) {
    for (unsigned w = 0; w < workers; ++w) {
      hs_scratch_t* clone = nullptr;
      if (hs_clone_scratch(proto, &clone) != HS_SUCCESS) {
        hs_free_scratch(proto);
        throw compile_error("Hyperscan cannot clone scratch space");
      }
      t->scratch.push_back(clone);
    }
    hs_free_scratch(proto);
  }
  hit_slots.retain_only(live);
  return t;
}

} // namespace

std::string acl_hit_identity(const std::string& set, const std::string& rule) {
  return set + "/" + rule;
}

std::shared_ptr<const acl_snapshot> compile_acls(const config& c, acl_compile_cache& cache) {
  bool used = !c.global_acls.empty();
  for (const service_config& s : c.services)
    used = used || !s.acls.empty() || !s.allowed_sources.empty();
  if (!used) return nullptr;

  const std::vector<acl_set_config> sets = effective_acl_sets(c);
  std::map<std::string, uint16_t> index;
  for (std::size_t i = 0; i < sets.size(); ++i)
    if (!index.emplace(sets[i].name, uint16_t(i)).second)
      throw compile_error("two ACL sets are named \"" + sets[i].name + "\"");

  acl_compile_cache next = cache;
  if (!next.hit_slots) next.hit_slots.emplace(c.dataplane.max_acl_rules);
  if (!next.tables || next.compiled_from != sets || next.workers != c.dataplane.workers) {
    next.tables = build_tables(sets, c.dataplane.workers, *next.hit_slots);
    next.compiled_from = sets;
    next.workers = c.dataplane.workers;
  }

  auto out = std::make_shared<acl_snapshot>();
  out->tables = next.tables;
  out->initial_hold = acl_initial_hold(c.dataplane.acl_pending_packets);
  for (const service_config& s : c.services) {
    const std::vector<std::string> refs = effective_acl_refs(c, s);
    if (refs.size() > k_acl_max_sets_per_flow)
      throw compile_error("service " + s.name + ": more than " +
                          std::to_string(k_acl_max_sets_per_flow) + " ACL sets apply");
    out->by_service.push_back({uint16_t(out->lists.size()), uint16_t(refs.size())});
    for (const std::string& n : refs) {
      const auto it = index.find(n);
      if (it == index.end()) // the loader already refused it
        throw compile_error("no ACL set named \"" + n + "\"");
      out->lists.push_back(it->second);
    }
  }
  cache = std::move(next);
  return out;
}

} // namespace sluice
