#pragma once
// The immutable compiled state that workers read. The control plane builds a new snapshot for
// every change and publishes it whole (snapshot/publisher.hpp); nothing here is ever written
// after publication, so workers read it without locks.

#include <rte_ether.h>

#include <cstdint>
#include <vector>

#include "dataplane/snapshot/flat_index.hpp"
#include "dataplane/xmit/forwarding.hpp"

namespace sluice {

enum class scheduler_kind : uint8_t { rr, wrr, lc, wlc, sh, dh, mh, random };

struct snapshot_iface {
  uint16_t port_id;
  rte_ether_addr mac;
  uint32_t addr;    // network byte order
  uint32_t netmask; // network byte order
  uint32_t gateway; // network byte order; 0 when the interface has none
};

struct snapshot_backend {
  uint32_t addr; // network byte order
  uint16_t port; // network byte order
  uint16_t weight;
  uint32_t slot; // stable counter slot, survives republication
};

struct snapshot_service {
  uint32_t vip;  // network byte order
  uint16_t port; // network byte order
  uint8_t proto; // IPPROTO_TCP or IPPROTO_UDP
  forwarding mode;
  scheduler_kind scheduler;
  uint32_t slot; // stable counter and scheduler-state slot
  uint32_t first_backend;
  uint32_t backend_count;
  // Scheduler inputs the control plane precomputes (control/snapshot/sched_tables.cpp).
  uint32_t table_first;  // sh, dh, mh: the service's lookup table in snapshot::sched_tables
  uint32_t table_size;   // entries in that table; 0 when every backend drains
  uint32_t weight_total; // sum of the backends' weights (random)
  uint16_t max_weight;   // largest backend weight (wrr)
  uint16_t weight_gcd;   // gcd of the non-zero weights (wrr); 0 when every backend drains
  uint32_t persistence;  // seconds a client stays with its backend; 0: no affinity
};

// What a local destination address is, for ARP, ICMP echo and delivery decisions.
enum class local_kind : uint32_t { iface_address = 1, vip = 2 };

struct snapshot {
  uint64_t generation = 0;
  std::vector<snapshot_iface> ifaces; // index = interface index, fixed at start
  std::vector<snapshot_service> services;
  std::vector<snapshot_backend> backends; // grouped per service
  // Running sum of weights within each service, inclusive, parallel to `backends` (random).
  std::vector<uint32_t> weight_prefix;
  // Lookup tables of sh, dh and mh services, back to back; entries are indices into backends.
  std::vector<uint32_t> sched_tables;
  flat_index service_by_key;              // service_key() -> index into services
  flat_index local_addrs;                 // addr -> (local_kind << 16) | iface index
  flat_index backend_by_slot;             // slot_key(backend slot) -> index into backends

  static constexpr uint64_t service_key(uint32_t vip, uint16_t port, uint8_t proto) noexcept {
    return (uint64_t{vip} << 32) | (uint64_t{port} << 16) | (uint64_t{proto} << 8) | 1u;
  }
  static constexpr uint64_t addr_key(uint32_t addr) noexcept { return (uint64_t{addr} << 8) | 1u; }
  static constexpr uint64_t slot_key(uint32_t slot) noexcept { return uint64_t{slot} + 1; }

  const snapshot_service* find_service(uint32_t vip, uint16_t port, uint8_t proto) const noexcept {
    const uint32_t i = service_by_key.find(service_key(vip, port, proto));
    return i == flat_index::k_absent ? nullptr : &services[i];
  }
};

} // namespace sluice
