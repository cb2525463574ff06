#pragma once
// Cluster state → Sluice services, with kube-proxy's reading of Services and EndpointSlices and
// MetalLB's address allocation (k8s/pool.hpp). Pure and deterministic: the same state, config
// and previous allocations give the same result. map_cluster maps the whole cluster (tests, and
// the reference the incremental mapper of k8s/incremental.hpp is checked against); both are
// built from the per-Service pieces declared at the end of this header.
//
// What becomes a service (one per Service port, TCP and UDP; SCTP is reported unsupported):
//  - type LoadBalancer whose loadBalancerClass is kubernetes.load_balancer_class (or unset,
//    with class_less): a VIP at the address allocated from address_pools, at the port's `port`;
//  - type NodePort, and LoadBalancer with node ports (any class, as kube-proxy): a service at
//    each kubernetes.node_addresses entry, at the port's `nodePort`;
//  - ExternalName and headless (clusterIP None) Services: nothing.
// A LoadBalancer's loadBalancerSourceRanges become its address's allowed_sources (not its node
// ports', as with kube-proxy); ranges that cannot be enforced leave the address unserved.
// Backends (backends: pods): the endpoints of the Service's IPv4 EndpointSlices, at the slice
// port with the same name and protocol (targetPort is never read). Ready endpoints get weight 1;
// when none is ready, serving+terminating ones do; other terminating endpoints stay with
// weight 0 so their connections drain. (backends: nodes): each node's InternalIP at nodePort,
// minus nodes labelled exclude-from-external-load-balancers and, with
// externalTrafficPolicy Local, nodes without a usable local endpoint.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/k8s/objects.hpp"
#include "control/k8s/pool.hpp"

namespace sluice::k8s {

inline constexpr const char* k_annotation_forwarding = "sluice.io/forwarding";
inline constexpr const char* k_annotation_scheduler = "sluice.io/scheduler";
inline constexpr const char* k_annotation_address = "sluice.io/loadBalancerIPs";
inline constexpr const char* k_annotation_pool = "sluice.io/address-pool";

// The status a LoadBalancer Service should carry; written by merge-patch to services/NAME/status.
struct status_patch {
  std::string ns;
  std::string name;
  std::vector<uint32_t> ingress; // empty: clear the addresses this gateway had given it
  // The Service's resourceVersion when the patch was computed from its status (k8s/status_writer
  // uses it to tell "our write has not come back yet" from "someone wrote over it").
  std::string observed_version;

  std::string body() const; // {"status":{"loadBalancer":{"ingress":[{"ip":..,"ipMode":"VIP"}]}}}
  bool operator==(const status_patch&) const = default;
};

// A Kubernetes Event (type Warning) about a Service, e.g. reason AllocationFailed.
struct service_event {
  std::string ns;
  std::string name;
  std::string reason;
  std::string message;

  bool operator==(const service_event&) const = default;
  auto operator<=>(const service_event&) const = default;
};

struct mapping_result {
  std::vector<service_config> services;       // sorted by name
  std::map<std::string, uint32_t> allocations; // "ns/name" → LoadBalancer address
  std::vector<status_patch> patches;          // only where the status differs
  std::vector<service_event> events;
  std::vector<std::string> problems; // "ns/name: what was not programmed and why", for the log
};

mapping_result map_cluster(const cluster_state& state, const kubernetes_config& cfg,
                           const std::vector<address_pool_config>& pools,
                           const std::map<std::string, uint32_t>& previous_allocations);

// ---- One Service's share.

// Whether the Service is a LoadBalancer this gateway gives an address to.
bool is_ours(const service& s, const kubernetes_config& cfg);

// Its request to the address pools (for Services that are ours); an unusable address
// annotation is reported in `problems` and ignored.
allocation_request request_for(const service& s, std::vector<std::string>& problems);

// Whether an EndpointSlice feeds a Service's backends, and which: "ns/service-name".
bool feeds_a_service(const endpoint_slice& s);
std::string service_key_of(const endpoint_slice& s);

struct service_mapping {
  // The services it asks for, in claim order: of two claims on one address + port + protocol
  // (across Services: ordered by Service key, then this order) the first keeps it.
  std::vector<service_config> claims;
  std::vector<std::string> problems;
};

// `slices`: the Service's EndpointSlices (feeds_a_service) in key order; `lb`: its
// LoadBalancer address, if it has one.
service_mapping map_service(const service& s, const std::vector<const endpoint_slice*>& slices,
                            const std::map<std::string, node>& nodes,
                            const kubernetes_config& cfg, const std::optional<uint32_t>& lb);

// The status to write, if the Service's differs: its address, or none when it had one of ours
// (`had_address`: allocated before this mapping) and has lost it.
std::optional<status_patch> wanted_status(const service& s, const std::optional<uint32_t>& lb,
                                          bool had_address);

// The problem of a claim that lost its address + port + protocol to another.
std::string clash_problem(const std::string& loser, const std::string& winner);
// The Event and problem of a Service left without an address.
service_event allocation_event(const service& s, const std::string& why);
std::string allocation_problem(const service& s, const std::string& why);

} // namespace sluice::k8s
