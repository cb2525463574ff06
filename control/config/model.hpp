#pragma once
// The desired state as the operator wrote it, validated (config/load.hpp) but not yet compiled
// into a dataplane snapshot. Addresses and ports are in network byte order.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/acl/acl_config.hpp"
#include "control/announce/bgp_config.hpp"
#include "control/health/check_config.hpp"
#include "dataplane/flow/timeouts.hpp"
#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

struct neighbor_config {
  ip_addr addr; // of either family
  std::array<uint8_t, 6> mac;

  bool operator==(const neighbor_config&) const = default;
};

// `interfaces[].exception_path`: the interface's kernel-side twin, a net_tap port whose kernel
// netdev gets the DPDK port's MAC and the interface's address, so host tools (ssh, BGP, health
// checks) work on a NIC that DPDK owns.
struct exception_path_config {
  std::string tap;                // kernel interface name
  uint32_t rate_limit_pps = 10000; // per direction, shared out over the workers

  bool operator==(const exception_path_config&) const = default;
};

struct interface_config {
  std::string name;
  std::string device; // DPDK devargs: PCI address or vdev string
  // The interface's addresses: at most one per family, at least one. IPv4: prefix_len 0 (and
  // addr 0) when it has none.
  uint32_t addr = 0;
  unsigned prefix_len = 0;
  uint32_t gateway = 0; // 0: none
  // IPv6: prefix6 0 when it has none; gateway6 all zero: none.
  ipv6_bytes addr6 = {};
  unsigned prefix6 = 0;
  ipv6_bytes gateway6 = {};
  std::vector<neighbor_config> neighbors;

  bool has_ipv4() const noexcept { return prefix_len != 0; }
  bool has_ipv6() const noexcept { return prefix6 != 0; }
  std::optional<exception_path_config> exception_path; // absent: no kernel twin

  bool operator==(const interface_config&) const = default;
};

struct backend_config {
  uint32_t addr;
  uint16_t port; // network byte order
  uint16_t weight = 1;

  bool operator==(const backend_config&) const = default;
};

struct service_config {
  std::string name;
  uint32_t vip;
  uint16_t port = 0; // network byte order; 0 = every port (dr and tun only)
  uint8_t proto;     // IPPROTO_TCP or IPPROTO_UDP
  forwarding mode = forwarding::nat;
  scheduler_kind scheduler = scheduler_kind::rr;
  uint32_t persistence_timeout = 0;
  // Seconds a removed backend's flows keep forwarding before they are flushed; 0: until they
  // end (IPVS's behaviour without expire_nodest_conn).
  uint32_t drain_timeout = 0;
  std::vector<backend_config> backends;
  // fnat: the sources backends see; empty = the address of the interface reaching the backend.
  std::vector<uint32_t> local_addresses;
  // fnat TCP: send the client's address to the backend in a PROXY protocol v2 header.
  bool proxy_protocol_v2 = false;
  std::vector<std::string> acls; // ACL sets checked after the global ones, in this order
  // Probes of every backend; a backend failing `fall` in a row leaves the scheduler until it
  // passes `rise` (control/health). None: every backend counts as healthy.
  std::optional<health_check_config> health_check;
  // Non-empty: only clients in these prefixes reach the service (DPVS's whitelist, Kubernetes'
  // loadBalancerSourceRanges); compiled as the service's own ACL set (control/acl/effective.hpp).
  std::vector<ip_prefix> allowed_sources;

  bool operator==(const service_config&) const = default;
};

// dataplane.idle: adaptive (an idle worker backs off and sleeps, config/README.md) or poll
// (every worker polls at 100 % of its core whatever the traffic).
enum class idle_mode : uint8_t { adaptive, poll };

struct dataplane_config {
  // Without dataplane.max_half_open, a worker's half-open flows are capped at this share of its
  // flow table: a SYN flood keeps three quarters of the table for the flows it cannot touch, and
  // a quarter is far above what real clients hold half-open (new connections per second times
  // a handshake's round trip: 100,000/s x 10 ms = 1,000).
  static constexpr uint32_t k_half_open_share = 4;

  std::vector<std::string> eal_args{"-l", "0-1", "--in-memory", "--no-pci"};
  unsigned workers = 1;
  uint32_t flows_per_worker = 1u << 20;
  // Half-open (TCP SYN_RECV) flows per worker at most, 1..flows_per_worker; absent:
  // flows_per_worker / k_half_open_share. Read it through half_open_limit().
  std::optional<uint32_t> max_half_open;
  uint32_t max_services = 4096; // counter slots, fixed at start
  uint32_t max_backends = 65536;
  uint32_t affinity_templates = 65536; // per worker: clients remembered for session affinity
  uint32_t maglev_table_size = 65537; // prime; slots of every mh service's lookup table
  flow_timeouts timeouts;
  uint32_t max_acl_rules = 65536;  // per-rule hit counter slots (rules + one default per set)
  uint32_t acl_pending_packets = 8; // TCP packets a flow waits for its first data under payload rules
  idle_mode idle = idle_mode::adaptive;
  uint32_t idle_spin_us = 20;        // adaptive: empty polls before an idle worker sleeps
  uint32_t idle_max_sleep_us = 1000; // adaptive: the longest sleep of an idle worker

  uint32_t half_open_limit() const noexcept {
    return max_half_open.value_or(flows_per_worker / k_half_open_share);
  }

  bool operator==(const dataplane_config&) const = default;
};

struct admin_config {
  std::string socket = "/run/sluice/sluice.sock";
  std::string metrics = "127.0.0.1:9469";

  bool operator==(const admin_config&) const = default;
};

// One MetalLB-style IPAddressPool: LoadBalancer addresses handed out to Kubernetes Services.
struct address_range {
  uint32_t first; // host byte order, inclusive
  uint32_t last;

  bool operator==(const address_range&) const = default;
};

struct address_pool_config {
  std::string name;
  std::vector<address_range> ranges; // in the order written
  bool auto_assign = true;           // false: only Services that request an address get one

  bool operator==(const address_pool_config&) const = default;
};

// The `kubernetes:` key (config/README.md). Absent (enabled = false): no API server is contacted.
struct kubernetes_config {
  bool enabled = false;
  std::string kubeconfig;       // path; empty with in_cluster = true
  bool in_cluster = false;
  std::string load_balancer_class = "sluice.io/lb";
  bool class_less = false;      // also serve LoadBalancers with no loadBalancerClass
  std::vector<uint32_t> node_addresses; // NodePorts are served on these (network byte order)
  bool backends_nodes = false;  // false: pod addresses; true: nodeIP:nodePort
  forwarding mode = forwarding::nat;
  scheduler_kind scheduler = scheduler_kind::rr;
  uint32_t watch_timeout_seconds = 300;
  // A watch that delivers nothing, not even a bookmark, for this long is re-opened: the server
  // behind it may be gone without a word (kube-apiserver sends a bookmark about every minute).
  uint32_t watch_idle_seconds = 90;
  // The API server must start answering within this, and may pause no longer within an answer.
  uint32_t request_timeout_seconds = 15;
  uint32_t token_reread_seconds = 60;
  // Optional probes of every Kubernetes service's backends (TCP ports, or UDP ones when the check
  // names a port). EndpointSlice readiness still decides which endpoints are backends; a check
  // can only take a ready one out for a while, never bring back one the cluster calls not ready.
  std::optional<health_check_config> health_check;

  bool operator==(const kubernetes_config&) const = default;
};

// `announce.l2`: gratuitous ARP for every VIP and interface address at start and for each VIP
// added later, as MetalLB does on failover.
struct l2_announce_config {
  uint32_t garp_count = 3;
  uint32_t garp_interval_ms = 1000;

  bool operator==(const l2_announce_config&) const = default;
};

// The `announce:` key: how the VIPs this appliance serves are made known to the network.
struct announce_config {
  bgp_announce_config bgp; // announce.bgp (announce/bgp_config.hpp)
  std::optional<l2_announce_config> l2; // announce.l2; absent: no gratuitous ARP

  bool operator==(const announce_config&) const = default;
};

struct config {
  dataplane_config dataplane;
  std::vector<interface_config> interfaces;
  std::vector<service_config> services;
  std::vector<acl_set_config> acls;
  std::vector<std::string> global_acls; // sets checked for every VIP, before the service's own
  admin_config admin;
  kubernetes_config kubernetes;
  std::vector<address_pool_config> address_pools;
  announce_config announce;

  bool operator==(const config&) const = default;
};

std::string_view name_of(forwarding f) noexcept;
std::string_view name_of(scheduler_kind s) noexcept;
// ipvsadm's Forward column: Masq, Route, Tunnel, FullNat.
std::string_view ipvsadm_forward_name(forwarding f) noexcept;

} // namespace sluice
