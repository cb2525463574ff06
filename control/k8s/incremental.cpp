#include "control/k8s/incremental.hpp"

#include <algorithm>

namespace sluice::k8s {

incremental_mapper::incremental_mapper(kubernetes_config cfg,
                                       std::vector<address_pool_config> pools)
    : cfg_(std::move(cfg)), pool_(std::move(pools)) {}

void incremental_mapper::put(service s) {
  std::string key = s.meta.key();
  changed_services_.insert(key);
  st_.services.insert_or_assign(std::move(key), std::move(s));
}

void incremental_mapper::erase_service(const std::string& key) {
  if (st_.services.erase(key) != 0) changed_services_.insert(key);
}

void incremental_mapper::put(endpoint_slice s) {
  std::string key = s.meta.key();
  erase_slice(key); // its label may have moved it to another Service
  if (feeds_a_service(s)) {
    const std::string svc = service_key_of(s);
    slices_of_[svc].insert(key);
    changed_backends_.insert(svc);
  }
  st_.slices.emplace(std::move(key), std::move(s));
}

void incremental_mapper::erase_slice(const std::string& key) {
  auto it = st_.slices.find(key);
  if (it == st_.slices.end()) return;
  if (feeds_a_service(it->second)) {
    const std::string svc = service_key_of(it->second);
    auto of = slices_of_.find(svc);
    of->second.erase(key);
    if (of->second.empty()) slices_of_.erase(of);
    changed_backends_.insert(svc);
  }
  st_.slices.erase(it);
}

void incremental_mapper::put(node n) {
  // Nodes are rewritten by the kubelet's status updates; only the address and the exclusion
  // label reach the mapping, and only with backends: nodes.
  auto it = st_.nodes.find(n.meta.name);
  const bool same = it != st_.nodes.end() && it->second.internal_ip == n.internal_ip &&
                    it->second.exclude_from_lb == n.exclude_from_lb;
  nodes_changed_ = nodes_changed_ || (!same && cfg_.backends_nodes);
  std::string name = n.meta.name;
  st_.nodes.insert_or_assign(std::move(name), std::move(n));
}

void incremental_mapper::erase_node(const std::string& name) {
  if (st_.nodes.erase(name) != 0) nodes_changed_ = nodes_changed_ || cfg_.backends_nodes;
}

namespace {

// A relist as per-object changes: what is gone is erased, what is new or of another
// resourceVersion is put.
template <typename T, typename Key, typename Put, typename Erase>
void replace_collection(const std::map<std::string, T>& cache, std::vector<T> items, Key key_of,
                        Put put, Erase erase) {
  std::set<std::string> listed;
  for (const T& o : items) listed.insert(key_of(o));
  std::vector<std::string> gone;
  for (const auto& [key, o] : cache)
    if (!listed.contains(key)) gone.push_back(key);
  for (const std::string& key : gone) erase(key);
  for (T& o : items) {
    auto it = cache.find(key_of(o));
    if (it != cache.end() && !o.meta.resource_version.empty() &&
        it->second.meta.resource_version == o.meta.resource_version)
      continue;
    put(std::move(o));
  }
}

} // namespace

void incremental_mapper::replace(std::vector<service> items) {
  replace_collection(
      st_.services, std::move(items), [](const service& s) { return s.meta.key(); },
      [this](service s) { put(std::move(s)); }, [this](const std::string& k) { erase_service(k); });
}

void incremental_mapper::replace(std::vector<endpoint_slice> items) {
  replace_collection(
      st_.slices, std::move(items), [](const endpoint_slice& s) { return s.meta.key(); },
      [this](endpoint_slice s) { put(std::move(s)); },
      [this](const std::string& k) { erase_slice(k); });
}

void incremental_mapper::replace(std::vector<node> items) {
  replace_collection(
      st_.nodes, std::move(items), [](const node& n) { return n.meta.name; },
      [this](node n) { put(std::move(n)); }, [this](const std::string& k) { erase_node(k); });
}

bool incremental_mapper::pending() const {
  return !changed_services_.empty() || !changed_backends_.empty() || nodes_changed_;
}

incremental_mapper::record incremental_mapper::map_one(const std::string& key) const {
  record r;
  auto it = st_.services.find(key);
  if (it == st_.services.end()) return r;
  const service& s = it->second;
  if (is_ours(s, cfg_)) request_for(s, r.problems); // its problems only; the ledger has it
  if (const std::string* why = pool_.failure(key)) r.problems.push_back(allocation_problem(s, *why));
  std::vector<const endpoint_slice*> slices;
  if (auto of = slices_of_.find(key); of != slices_of_.end())
    for (const std::string& k : of->second) slices.push_back(&st_.slices.at(k));
  service_mapping m = map_service(s, slices, st_.nodes, cfg_, pool_.assigned(key));
  r.claims = std::move(m.claims);
  for (std::string& p : m.problems) r.problems.push_back(std::move(p));
  return r;
}

const service_config* incremental_mapper::winner(const claim_key& k) const {
  auto it = claimants_.find(k);
  if (it == claimants_.end()) return nullptr;
  const claimant& first = *it->second.begin();
  return &records_.at(first.first).claims[first.second];
}

void incremental_mapper::clash_problems(const claim_key& k, std::set<std::string>& out) const {
  auto it = claimants_.find(k);
  if (it == claimants_.end() || it->second.size() < 2) return;
  const std::string& first = winner(k)->name;
  for (auto c = std::next(it->second.begin()); c != it->second.end(); ++c)
    out.insert(clash_problem(records_.at(c->first).claims[c->second].name, first));
}

mapping_delta incremental_mapper::remap() {
  mapping_delta d;
  // Addresses first: a Service's change can move another Service's address or failure.
  std::map<std::string, std::optional<allocation_request>> requests;
  for (const std::string& key : changed_services_) {
    auto it = st_.services.find(key);
    std::vector<std::string> ignored; // reported by map_one
    if (it != st_.services.end() && is_ours(it->second, cfg_))
      requests.emplace(key, request_for(it->second, ignored));
    else
      requests.emplace(key, std::nullopt);
  }
  const std::map<std::string, std::optional<uint32_t>> moved = pool_.update(requests);

  std::set<std::string> todo(changed_services_.begin(), changed_services_.end());
  todo.insert(changed_backends_.begin(), changed_backends_.end());
  for (const auto& [key, was] : moved) todo.insert(key);
  if (nodes_changed_)
    for (const auto& [key, s] : st_.services) todo.insert(key);
  for (const std::string& key : changed_services_)
    if (!st_.services.contains(key)) d.deleted.push_back(key);
  changed_services_.clear();
  changed_backends_.clear();
  nodes_changed_ = false;
  d.remapped = todo.size();

  std::map<std::string, record> fresh;
  std::set<claim_key> touched;
  for (const std::string& key : todo) {
    record r = map_one(key);
    if (auto old = records_.find(key); old != records_.end()) {
      for (const service_config& v : old->second.claims) touched.insert({v.vip, v.port, v.proto});
      for (const std::string& p : r.problems)
        if (std::find(old->second.problems.begin(), old->second.problems.end(), p) ==
            old->second.problems.end())
          d.new_problems.push_back(p);
    } else {
      d.new_problems.insert(d.new_problems.end(), r.problems.begin(), r.problems.end());
    }
    for (const service_config& v : r.claims) touched.insert({v.vip, v.port, v.proto});
    auto s = st_.services.find(key);
    if (s != st_.services.end()) {
      auto was = moved.find(key);
      const bool had = was != moved.end() ? was->second.has_value() : pool_.assigned(key).has_value();
      if (auto p = wanted_status(s->second, pool_.assigned(key), had)) d.patches.push_back(*p);
      if (was != moved.end())
        if (const std::string* why = pool_.failure(key))
          d.new_events.push_back(allocation_event(s->second, *why));
    }
    fresh.emplace(key, std::move(r));
  }

  // Who held each touched address + port + protocol before and after.
  std::set<std::string> before_names, before_clashes, after_clashes;
  for (const claim_key& k : touched) {
    if (const service_config* w = winner(k)) before_names.insert(w->name);
    clash_problems(k, before_clashes);
  }
  for (auto& [key, r] : fresh) {
    if (auto old = records_.find(key); old != records_.end()) {
      for (std::size_t i = 0; i < old->second.claims.size(); ++i) {
        const service_config& v = old->second.claims[i];
        auto c = claimants_.find({v.vip, v.port, v.proto});
        c->second.erase({key, i});
        if (c->second.empty()) claimants_.erase(c);
      }
      records_.erase(old);
    }
    if (r.claims.empty() && r.problems.empty()) continue;
    for (std::size_t i = 0; i < r.claims.size(); ++i) {
      const service_config& v = r.claims[i];
      claimants_[{v.vip, v.port, v.proto}].insert({key, i});
    }
    records_.emplace(key, std::move(r));
  }
  std::set<std::string> after_names;
  for (const claim_key& k : touched) {
    clash_problems(k, after_clashes);
    const service_config* w = winner(k);
    if (w == nullptr) continue;
    after_names.insert(w->name);
    auto [it, added] = published_.try_emplace(w->name, *w);
    if (added || !(it->second == *w)) {
      it->second = *w;
      d.upserts.push_back(*w);
    }
  }
  for (const std::string& name : before_names)
    if (!after_names.contains(name)) {
      published_.erase(name);
      d.removed.push_back(name);
    }
  for (const std::string& p : after_clashes)
    if (!before_clashes.contains(p)) d.new_problems.push_back(p);
  return d;
}

bool incremental_mapper::programs(const std::string& service_key) const {
  const auto it = records_.find(service_key);
  return it != records_.end() && !it->second.claims.empty();
}

std::vector<service_config> incremental_mapper::services() const {
  std::vector<service_config> out;
  out.reserve(published_.size());
  for (const auto& [name, v] : published_) out.push_back(v);
  return out;
}

std::vector<service_event> incremental_mapper::events() const {
  std::vector<service_event> out;
  for (const auto& [key, why] : pool_.failures()) out.push_back(allocation_event(st_.services.at(key), why));
  return out;
}

std::vector<std::string> incremental_mapper::problems() const {
  std::vector<std::string> out;
  for (const auto& [key, r] : records_) out.insert(out.end(), r.problems.begin(), r.problems.end());
  std::set<std::string> clashes;
  for (const auto& [k, c] : claimants_) clash_problems(k, clashes);
  out.insert(out.end(), clashes.begin(), clashes.end());
  return out;
}

} // namespace sluice::k8s
