#pragma once
// The few fields of Kubernetes objects that the mapping reads (kube-proxy's and MetalLB's view),
// decoded from the API's JSON by k8s/decode.hpp. Everything else the API sends is ignored.
// Addresses are IPv4 in network byte order; 0 when absent or not IPv4.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::k8s {

// "namespace/name": the key of the caches and of address allocations.
struct object_meta {
  std::string ns;
  std::string name;
  std::string resource_version; // opaque: compared for equality only, never ordered
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;

  std::string key() const { return ns + "/" + name; }
};

enum class l4_protocol : uint8_t { tcp, udp, sctp, unknown };

struct service_port {
  std::string name;
  l4_protocol protocol = l4_protocol::tcp; // the API's default
  uint16_t port = 0;                       // host byte order
  uint16_t node_port = 0;                  // 0: none
};

struct lb_ingress {
  uint32_t ip = 0;
  std::string ip_mode; // "VIP" | "Proxy" | ""
};

struct service {
  object_meta meta;
  std::string type = "ClusterIP";
  std::string cluster_ip;
  std::optional<std::string> load_balancer_class;
  std::vector<service_port> ports;
  std::string external_traffic_policy = "Cluster";
  uint16_t health_check_node_port = 0; // kube-proxy's /healthz for Local traffic; 0: none
  std::string session_affinity = "None";
  uint32_t affinity_timeout = 10800; // sessionAffinityConfig.clientIP.timeoutSeconds default
  std::vector<std::string> load_balancer_source_ranges;
  std::vector<lb_ingress> ingress; // status.loadBalancer.ingress (IPv4 entries)
};

struct endpoint {
  std::vector<uint32_t> addresses; // IPv4 only; kube-proxy uses the first
  // Conditions as the API defines their absence: ready nil = ready; serving nil = ready;
  // terminating nil = false.
  bool ready = true;
  bool serving = true;
  bool terminating = false;
  std::string node_name;
};

struct endpoint_port {
  std::string name;
  l4_protocol protocol = l4_protocol::tcp;
  std::optional<uint16_t> port; // nil: "all ports" per the API; unusable for a service port
};

struct endpoint_slice {
  object_meta meta;
  std::string service_name; // label kubernetes.io/service-name
  std::string address_type; // IPv4 | IPv6 | FQDN
  std::vector<endpoint> endpoints;
  std::vector<endpoint_port> ports;
};

struct node {
  object_meta meta;
  uint32_t internal_ip = 0; // status.addresses[type=InternalIP], else ExternalIP
  bool exclude_from_lb = false; // label node.kubernetes.io/exclude-from-external-load-balancers
};

// The caches a sync keeps, keyed by object_meta::key().
struct cluster_state {
  std::map<std::string, service> services;
  std::map<std::string, endpoint_slice> slices;
  std::map<std::string, node> nodes; // key: name (nodes have no namespace)
};

} // namespace sluice::k8s
