#pragma once
// LoadBalancer allocations kept between mappings, so that a change re-allocates only what it
// can change: the incremental form of allocate() (k8s/pool.hpp). After every update the
// assignments and failures are those allocate(pools, previous = the last assignments, every
// request) gives; tests/unit/control/k8s/k8s_incremental_test.cpp checks that on random histories.
//
// Why only the changed requests, plus the waiting ones after a release, need serving again:
// every other request keeps its address (it held it in `previous` and it is still acceptable),
// and a request that found nothing last time finds nothing now unless an address came free —
// ownership only grew, and the owner it was told about is still the owner.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/k8s/pool.hpp"

namespace sluice::k8s {

class pool_ledger {
public:
  explicit pool_ledger(std::vector<address_pool_config> pools) : pools_(std::move(pools)) {}

  // allocate(): every request keeps its address in `previous` if still acceptable, the rest are
  // served in key order. Meant for an empty ledger.
  void restore(const std::map<std::string, uint32_t>& previous,
               std::vector<allocation_request> requests);

  // The requests of the Services that changed, by key; std::nullopt: no request any more
  // (deleted, or no longer ours). Returns the keys whose address or failure changed, each with
  // the address it had before (std::nullopt: none).
  std::map<std::string, std::optional<uint32_t>> update(
      const std::map<std::string, std::optional<allocation_request>>& changed);

  std::optional<uint32_t> assigned(const std::string& key) const;
  const std::string* failure(const std::string& key) const; // nullptr: none
  const std::map<std::string, uint32_t>& assignments() const { return assigned_; }
  const std::map<std::string, std::string>& failures() const { return failures_; }

private:
  bool acceptable(const allocation_request& r, uint32_t addr) const;
  bool take(const allocation_request& r, uint32_t addr);
  void release(uint32_t addr);
  // The lowest address >= from not owned (host byte order), or > `last` when none is.
  uint64_t first_free(uint64_t from, uint64_t last) const;
  void serve(const std::vector<const allocation_request*>& pending);

  std::vector<address_pool_config> pools_;
  std::map<std::string, allocation_request> requests_;
  std::map<std::string, uint32_t> assigned_;     // key → address (network byte order)
  std::map<std::string, std::string> failures_;  // key → why it has no address
  std::map<uint32_t, std::string> owner_;        // address (network byte order) → key
  std::map<uint64_t, uint64_t> owned_runs_;      // host order: first → last of owned runs
};

} // namespace sluice::k8s
