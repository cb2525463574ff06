#pragma once
// The sync's mapping (k8s/mapping.hpp), kept up to date one change at a time: a watch event
// re-maps only the Services it can change, and the result says only what changed, so event
// handling and publishing cost what the event touches, not the size of the cluster.
//
// What a change can affect:
//  - a Service: itself, and through the address pools the Services whose address or failure
//    changes with it (k8s/pool_ledger.hpp: e.g. the one waiting for the address it freed);
//  - an EndpointSlice: the Service its kubernetes.io/service-name label names (before and after);
//  - a Node, with backends: nodes, when its address or exclusion label changes: every Service
//    (rare, and backends, externalTrafficPolicy Local and exclusion all read the node list);
//  - any of these: the other claimants of the address + port + protocol a re-mapped Service
//    claims (the first, by Service key, keeps it; the next one takes over when it leaves).
// After remap() the services, allocations, Events and problems are exactly map_cluster's for the
// same cache with the previous allocations, and the status patches are those map_cluster gives
// for the re-mapped Services (tests/unit/control/k8s/k8s_incremental_test.cpp, on random histories).

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "control/config/model.hpp"
#include "control/k8s/mapping.hpp"
#include "control/k8s/objects.hpp"
#include "control/k8s/pool_ledger.hpp"

namespace sluice::k8s {

// What one remap() changed.
struct mapping_delta {
  std::vector<service_config> upserts; // virtual services added or changed, by name
  std::vector<std::string> removed;    // names of virtual services gone
  std::vector<status_patch> patches;   // re-mapped Services whose status differs from the wanted
  std::vector<std::string> deleted;    // "ns/name" of Services gone from the cache
  std::vector<service_event> new_events;     // conditions that appeared (or changed) now
  std::vector<std::string> new_problems;     // problems not reported before, for the log
  std::size_t remapped = 0;                  // Services mapped again
  bool empty() const { return upserts.empty() && removed.empty(); }
};

class incremental_mapper {
public:
  incremental_mapper(kubernetes_config cfg, std::vector<address_pool_config> pools);

  // Changes to the cache. Each only records what it can affect; remap() does the work.
  void put(service s);
  void put(endpoint_slice s);
  void put(node n);
  void erase_service(const std::string& key);
  void erase_slice(const std::string& key);
  void erase_node(const std::string& name);
  // A (re)list: the collection becomes `items`; objects whose resourceVersion is unchanged
  // are not re-mapped (a relist after a 410 mostly finds the cache right).
  void replace(std::vector<service> items);
  void replace(std::vector<endpoint_slice> items);
  void replace(std::vector<node> items);

  bool pending() const;
  mapping_delta remap();
  // Whether the Service ("ns/name") maps to at least one virtual service, as of the last remap().
  bool programs(const std::string& service_key) const;

  // Whole views, O(cluster): the first publication after a refusal, tests.
  std::vector<service_config> services() const; // sorted by name, as map_cluster's
  const std::map<std::string, uint32_t>& allocations() const { return pool_.assignments(); }
  std::vector<service_event> events() const;
  std::vector<std::string> problems() const;
  const cluster_state& state() const { return st_; }

private:
  using claim_key = std::tuple<uint32_t, uint16_t, uint8_t>; // vip, port, proto
  using claimant = std::pair<std::string, std::size_t>;      // Service key, claim index
  struct record {
    std::vector<service_config> claims;
    std::vector<std::string> problems;
  };

  record map_one(const std::string& key) const;
  const service_config* winner(const claim_key& k) const;
  void clash_problems(const claim_key& k, std::set<std::string>& out) const;

  kubernetes_config cfg_;
  cluster_state st_;
  std::map<std::string, std::set<std::string>> slices_of_; // Service key → its slices' keys
  pool_ledger pool_;
  std::map<std::string, record> records_;                  // Services that map to something
  std::map<claim_key, std::set<claimant>> claimants_;
  std::map<std::string, service_config> published_;       // the winners, by name

  std::set<std::string> changed_services_; // the object changed: its address may change
  std::set<std::string> changed_backends_; // only its slices changed
  bool nodes_changed_ = false;
};

} // namespace sluice::k8s
