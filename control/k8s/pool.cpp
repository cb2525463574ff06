#include "control/k8s/pool.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "dataplane/net/ipv4.hpp"

namespace sluice::k8s {

const address_pool_config* pool_of(const std::vector<address_pool_config>& pools, uint32_t addr) {
  const uint32_t h = ntohl(addr);
  for (const address_pool_config& p : pools)
    for (const address_range& r : p.ranges)
      if (h >= r.first && h <= r.last) return &p;
  return nullptr;
}

allocation_result allocate(const std::vector<address_pool_config>& pools,
                           const std::map<std::string, uint32_t>& previous,
                           std::vector<allocation_request> requests) {
  std::sort(requests.begin(), requests.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  allocation_result out;
  std::map<uint32_t, std::string> owner; // address → key
  // An address is acceptable for a request when it is in a pool the request allows and, if the
  // Service asked for an address, it is that one.
  auto acceptable = [&](const allocation_request& r, uint32_t addr) {
    const address_pool_config* p = pool_of(pools, addr);
    if (p == nullptr || (!r.pool.empty() && p->name != r.pool)) return false;
    return !r.requested || *r.requested == addr;
  };
  auto take = [&](const allocation_request& r, uint32_t addr) {
    if (out.assigned.contains(r.key) || owner.contains(addr) || !acceptable(r, addr)) return;
    owner.emplace(addr, r.key);
    out.assigned.emplace(r.key, addr);
  };

  for (const allocation_request& r : requests)
    if (auto it = previous.find(r.key); it != previous.end()) take(r, it->second);
  for (const allocation_request& r : requests)
    for (uint32_t a : r.current) take(r, a);
  for (const allocation_request& r : requests) {
    if (out.assigned.contains(r.key) || !r.requested) continue;
    const uint32_t a = *r.requested;
    if (const address_pool_config* p = pool_of(pools, a); p == nullptr)
      out.failures[r.key] = "requested address " + format_ipv4(a) + " is in no address pool";
    else if (!r.pool.empty() && p->name != r.pool)
      out.failures[r.key] = "requested address " + format_ipv4(a) + " is in pool \"" + p->name +
                            "\", not the requested pool \"" + r.pool + "\"";
    else if (auto o = owner.find(a); o != owner.end())
      out.failures[r.key] =
          "requested address " + format_ipv4(a) + " is already allocated to " + o->second;
    else
      take(r, a);
  }
  // Lowest free address: every address below a range's cursor is owned (ownership only grows
  // from here on), so each range is scanned once over all requests, not once per request.
  std::vector<std::vector<uint64_t>> cursor;
  for (const address_pool_config& p : pools) {
    cursor.emplace_back();
    for (const address_range& range : p.ranges) cursor.back().push_back(range.first);
  }
  for (const allocation_request& r : requests) {
    if (out.assigned.contains(r.key) || out.failures.contains(r.key)) continue;
    bool pool_known = r.pool.empty();
    for (std::size_t pi = 0; pi < pools.size() && !out.assigned.contains(r.key); ++pi) {
      const address_pool_config& p = pools[pi];
      if (!r.pool.empty() ? p.name != r.pool : !p.auto_assign) continue;
      pool_known = true;
      for (std::size_t ri = 0; ri < p.ranges.size() && !out.assigned.contains(r.key); ++ri) {
        uint64_t& h = cursor[pi][ri];
        for (; h <= p.ranges[ri].last && !out.assigned.contains(r.key); ++h)
          take(r, htonl(uint32_t(h)));
      }
    }
    if (!out.assigned.contains(r.key))
      out.failures[r.key] = pool_known ? (r.pool.empty() ? std::string("no address left in any "
                                                                       "auto-assign address pool")
                                                         : "no address left in pool \"" + r.pool +
                                                               "\"")
                                       : "no address pool named \"" + r.pool + "\"";
  }
  return out;
}

} // namespace sluice::k8s
