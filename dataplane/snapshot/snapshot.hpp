#pragma once
// The immutable compiled state that workers read. The control plane builds a new snapshot for
// every change and publishes it whole (snapshot/publisher.hpp); nothing here is ever written
// after publication, so workers read it without locks.
//
// Each service's backends and scheduler tables live in their own block, shared by consecutive
// snapshots for as long as that service is unchanged: a change to one service compiles one block
// and copies the small per-service headers, however many other services there are.

#include <rte_ether.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dataplane/snapshot/flat_index.hpp"
#include "dataplane/snapshot/local_addresses.hpp"
#include "dataplane/xmit/forwarding.hpp"

namespace sluice {

struct acl_snapshot; // dataplane/acl/tables.hpp

enum class scheduler_kind : uint8_t { rr, wrr, lc, wlc, sh, dh, mh, random };

struct snapshot_iface {
  uint16_t port_id;
  rte_ether_addr mac;
  // IPv4, network byte order. An interface without an IPv4 address has addr 0 and netmask
  // 255.255.255.255, a subnet no packet is ever addressed to.
  uint32_t addr;
  uint32_t netmask;
  uint32_t gateway; // 0 when the interface has none
  // IPv6: the interface's address and prefix length (0: no IPv6 address), its gateway (all zero:
  // none).
  ipv6_bytes addr6 = {};
  uint8_t prefix6 = 0;
  ipv6_bytes gateway6 = {};

  bool has_ipv6() const noexcept { return prefix6 != 0; }
};

struct snapshot_backend {
  uint32_t addr; // network byte order
  uint16_t port; // network byte order
  uint16_t weight;
  uint32_t slot; // stable counter slot, survives republication
};

// One service's backends and what its scheduler reads. Immutable once compiled; owned by every
// snapshot that uses it (snapshot::blocks), so it outlives the last worker reading it.
struct service_block {
  std::vector<snapshot_backend> backends;
  // Running sum of the backends' weights, inclusive, parallel to `backends` (random).
  std::vector<uint32_t> weight_prefix;
  // sh, dh, mh: lookup table of indices into `backends`; empty when every backend drains.
  std::vector<uint32_t> table;
  flat_index by_slot; // slot_key(backend slot) -> index into backends (affinity)
  // fnat: the sources backends see (network byte order); empty: the address of the interface
  // that reaches the backend.
  std::vector<uint32_t> local_addresses;
};

struct snapshot_service {
  uint32_t vip;  // network byte order
  uint16_t port; // network byte order
  uint8_t proto; // IPPROTO_TCP or IPPROTO_UDP
  forwarding mode;
  scheduler_kind scheduler;
  uint32_t slot; // stable counter and scheduler-state slot
  uint32_t backend_count;
  const service_block* block; // the service's backends and tables; never null once compiled
  // Scheduler inputs the control plane precomputes (control/snapshot/sched_tables.cpp).
  uint32_t table_size;   // entries in block->table; 0 when every backend drains
  uint32_t weight_total; // sum of the backends' weights (random)
  uint16_t max_weight;   // largest backend weight (wrr)
  uint16_t weight_gcd;   // gcd of the non-zero weights (wrr); 0 when every backend drains
  uint32_t persistence;  // seconds a client stays with its backend; 0: no affinity
  bool proxy_protocol_v2 = false; // fnat TCP: PROXY v2 header in front of the stream

  // Schedulers answer with an index into this span.
  std::span<const snapshot_backend> backends() const noexcept { return block->backends; }
};

struct snapshot {
  uint64_t generation = 0;
  std::vector<snapshot_iface> ifaces; // index = interface index, fixed at start
  std::vector<snapshot_service> services;
  // Owners of services[i].block, parallel to services. Control side only: workers follow the
  // raw pointers and never touch the reference counts.
  std::vector<std::shared_ptr<const service_block>> blocks;
  flat_index service_by_key;              // service_key() -> index into services
  local_address_table local_addrs;
  std::shared_ptr<const acl_snapshot> acl; // null: no ACL applies to any service

  static constexpr uint64_t service_key(uint32_t vip, uint16_t port, uint8_t proto) noexcept {
    return (uint64_t{vip} << 32) | (uint64_t{port} << 16) | (uint64_t{proto} << 8) | 1u;
  }
  static constexpr uint64_t slot_key(uint32_t slot) noexcept { return uint64_t{slot} + 1; }

  const snapshot_service* find_service(uint32_t vip, uint16_t port, uint8_t proto) const noexcept {
    const uint32_t i = service_by_key.find(service_key(vip, port, proto));
    return i == flat_index::k_absent ? nullptr : &services[i];
  }
  // The service a packet to vip:port belongs to: the port's own or, for DR and TUN, one covering
  // every port of the VIP (IPVS's any-port services).
  const snapshot_service* find_vip_service(uint32_t vip, uint16_t port, uint8_t proto) const noexcept {
    const snapshot_service* svc = find_service(vip, port, proto);
    return svc != nullptr ? svc : find_service(vip, 0, proto);
  }
};

} // namespace sluice
