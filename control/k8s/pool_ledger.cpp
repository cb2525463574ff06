#include "control/k8s/pool_ledger.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "dataplane/net/ipv4.hpp"

namespace sluice::k8s {

std::optional<uint32_t> pool_ledger::assigned(const std::string& key) const {
  if (auto it = assigned_.find(key); it != assigned_.end()) return it->second;
  return std::nullopt;
}

const std::string* pool_ledger::failure(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? nullptr : &it->second;
}

bool pool_ledger::acceptable(const allocation_request& r, uint32_t addr) const {
  const address_pool_config* p = pool_of(pools_, addr);
  if (p == nullptr || (!r.pool.empty() && p->name != r.pool)) return false;
  return !r.requested || *r.requested == addr;
}

bool pool_ledger::take(const allocation_request& r, uint32_t addr) {
  if (assigned_.contains(r.key) || owner_.contains(addr) || !acceptable(r, addr)) return false;
  owner_.emplace(addr, r.key);
  assigned_.emplace(r.key, addr);
  const uint64_t h = ntohl(addr);
  // Coalesce with the runs either side, so first_free is one lookup.
  auto next = owned_runs_.find(h + 1);
  uint64_t last = h;
  if (next != owned_runs_.end()) {
    last = next->second;
    owned_runs_.erase(next);
  }
  auto it = owned_runs_.lower_bound(h);
  if (it != owned_runs_.begin() && std::prev(it)->second + 1 == h)
    std::prev(it)->second = last;
  else
    owned_runs_.emplace(h, last);
  return true;
}

void pool_ledger::release(uint32_t addr) {
  owner_.erase(addr);
  const uint64_t h = ntohl(addr);
  auto it = std::prev(owned_runs_.upper_bound(h)); // the run holding h
  const uint64_t first = it->first, last = it->second;
  owned_runs_.erase(it);
  if (first < h) owned_runs_.emplace(first, h - 1);
  if (h < last) owned_runs_.emplace(h + 1, last);
}

uint64_t pool_ledger::first_free(uint64_t from, uint64_t last) const {
  auto it = owned_runs_.upper_bound(from);
  if (it != owned_runs_.begin() && std::prev(it)->second >= from) from = std::prev(it)->second + 1;
  return from <= last ? from : last + 1;
}

void pool_ledger::restore(const std::map<std::string, uint32_t>& previous,
                          std::vector<allocation_request> requests) {
  for (allocation_request& r : requests) requests_.insert_or_assign(r.key, std::move(r));
  for (const auto& [key, r] : requests_)
    if (auto it = previous.find(key); it != previous.end()) take(r, it->second);
  std::vector<const allocation_request*> pending;
  for (const auto& [key, r] : requests_)
    if (!assigned_.contains(key)) pending.push_back(&r);
  serve(pending);
}

std::map<std::string, std::optional<uint32_t>> pool_ledger::update(
    const std::map<std::string, std::optional<allocation_request>>& changed) {
  struct outcome {
    std::optional<uint32_t> addr;
    std::optional<std::string> failure;
    bool operator==(const outcome&) const = default;
  };
  std::map<std::string, outcome> before;
  auto note = [&](const std::string& key) {
    if (before.contains(key)) return;
    const std::string* f = failure(key);
    before.emplace(key, outcome{assigned(key), f ? std::optional(*f) : std::nullopt});
  };
  bool released = false;
  for (const auto& [key, req] : changed) {
    note(key);
    if (auto it = assigned_.find(key); it != assigned_.end() && (!req || !acceptable(*req, it->second))) {
      release(it->second);
      assigned_.erase(it);
      released = true;
    }
    failures_.erase(key);
    if (req)
      requests_.insert_or_assign(key, *req);
    else
      requests_.erase(key);
  }
  std::map<std::string, const allocation_request*> pending; // in key order, as allocate()
  for (const auto& [key, req] : changed)
    if (req && !assigned_.contains(key)) pending.emplace(key, &requests_.at(key));
  if (released)
    for (auto it = failures_.begin(); it != failures_.end(); it = failures_.erase(it)) {
      note(it->first);
      pending.emplace(it->first, &requests_.at(it->first));
    }
  std::vector<const allocation_request*> order;
  for (const auto& [key, r] : pending) order.push_back(r);
  serve(order);

  std::map<std::string, std::optional<uint32_t>> out;
  for (const auto& [key, was] : before) {
    const std::string* f = failure(key);
    if (!(outcome{assigned(key), f ? std::optional(*f) : std::nullopt} == was)) out.emplace(key, was.addr);
  }
  return out;
}

// allocate()'s passes after the first, over the requests without an address.
void pool_ledger::serve(const std::vector<const allocation_request*>& pending) {
  for (const allocation_request* r : pending)
    for (uint32_t a : r->current) take(*r, a);
  for (const allocation_request* r : pending) {
    if (assigned_.contains(r->key) || !r->requested) continue;
    const uint32_t a = *r->requested;
    if (const address_pool_config* p = pool_of(pools_, a); p == nullptr)
      failures_[r->key] = "requested address " + format_ipv4(a) + " is in no address pool";
    else if (!r->pool.empty() && p->name != r->pool)
      failures_[r->key] = "requested address " + format_ipv4(a) + " is in pool \"" + p->name +
                          "\", not the requested pool \"" + r->pool + "\"";
    else if (auto o = owner_.find(a); o != owner_.end())
      failures_[r->key] =
          "requested address " + format_ipv4(a) + " is already allocated to " + o->second;
    else
      take(*r, a);
  }
  for (const allocation_request* r : pending) {
    if (assigned_.contains(r->key) || failures_.contains(r->key)) continue;
    bool pool_known = r->pool.empty();
    for (const address_pool_config& p : pools_) {
      if (!r->pool.empty() ? p.name != r->pool : !p.auto_assign) continue;
      pool_known = true;
      for (const address_range& range : p.ranges) {
        // Pools never overlap (config validation), so a free address of this range is this
        // pool's and acceptable to a request without a requested address.
        const uint64_t h = first_free(range.first, range.last);
        if (h <= range.last && take(*r, htonl(uint32_t(h)))) break;
      }
      if (assigned_.contains(r->key)) break;
    }
    if (!assigned_.contains(r->key))
      failures_[r->key] = pool_known ? (r->pool.empty() ? std::string("no address left in any "
                                                                       "auto-assign address pool")
                                                         : "no address left in pool \"" + r->pool +
                                                               "\"")
                                     : "no address pool named \"" + r->pool + "\"";
  }
}

} // namespace sluice::k8s
