#pragma once
// A worker's neighbour cache, keyed by interface and address of any family (IPv4's is filled by
// ARP, IPv6's by Neighbor Discovery). Fixed capacity, open addressing, no allocation; entries are never removed, only moved
// between states, so probing never meets a tombstone.
//
// Life of an entry: incomplete (packets wait in a small queue while requests go out once per
// probe interval) -> reachable (MAC known) -> after `reachable` seconds without confirmation the
// MAC is still used but a refresh request goes out -> if nothing confirms it within `grace`
// seconds it is incomplete again. Permanent entries (static neighbours) never change.

#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <memory>

#include "dataplane/net/address.hpp"

namespace sluice {

enum class neigh_state : uint8_t { empty = 0, incomplete, reachable, permanent };

struct neighbour {
  static constexpr unsigned k_queue_len = 8;

  ip_addr addr;
  uint16_t iface;
  neigh_state state;
  uint8_t queued;
  rte_ether_addr mac;
  uint64_t confirmed;  // TSC of the last reply that confirmed the MAC
  uint64_t queued_at;  // TSC when the oldest queued packet arrived
  uint64_t last_probe; // TSC of the last request sent
  rte_mbuf* queue[k_queue_len];
};

struct neigh_timers {
  uint64_t probe_interval; // TSC between two requests for one address
  uint64_t reachable;      // TSC a confirmation stays fresh
  uint64_t grace;          // TSC a stale entry keeps being used while refreshed
  uint64_t resolve;        // TSC a packet may wait for resolution

  static neigh_timers from_hz(uint64_t hz) noexcept {
    return {.probe_interval = hz, .reachable = 60 * hz, .grace = 5 * hz, .resolve = 3 * hz};
  }
};

class neighbour_table {
public:
  explicit neighbour_table(uint32_t capacity);

  // Returns the entry for (iface, addr), creating an incomplete one if needed; nullptr only
  // when the table is full.
  neighbour* find_or_create(uint16_t iface, const ip_addr& addr) noexcept {
    // Inlined first probe: every packet without a kept next hop asks for it, and it is nearly
    // always in its home entry.
    neighbour& e = entries_[home(iface, addr)];
    if (e.addr == addr && e.iface == iface && e.state != neigh_state::empty) return &e;
    return probe_or_create(iface, addr);
  }
  neighbour* find(uint16_t iface, const ip_addr& addr) noexcept;

  uint32_t capacity() const noexcept { return mask_ + 1; }
  neighbour& slot(uint32_t i) noexcept { return entries_[i]; }
  const neighbour& slot(uint32_t i) const noexcept { return entries_[i]; }
  uint32_t index_of(const neighbour& n) const noexcept { return uint32_t(&n - entries_.get()); }

private:
  uint32_t home(uint16_t iface, const ip_addr& addr) const noexcept {
    switch (addr.family()) {
    case addr_family::ipv4:
      return rte_hash_crc_4byte(addr.v4(), iface) & mask_;
    case addr_family::ipv6:
      return rte_hash_crc(addr.v6(), 16, iface) & mask_;
    }
    unknown_family();
  }
  neighbour* probe_or_create(uint16_t iface, const ip_addr& addr) noexcept;

  std::unique_ptr<neighbour[]> entries_;
  uint32_t mask_;
};

} // namespace sluice
