#pragma once
// Flow ownership across workers. A flow belongs to the worker chosen by its client's address,
// which both directions carry (source of a request to a VIP, destination of a reply), so any
// worker can tell the owner of any packet without a lookup — but for a client's packet to a VIP
// removed while its flows drain, which is taken for a reply to the VIP's address and passed on by
// pipeline::forward_miss() when that address's owner has no flow for it. Packets that arrive
// elsewhere (RSS or af_packet fanout hashing each direction differently) are handed to the owner
// through a single-producer single-consumer ring per ordered worker pair. Neighbour (ARP) knowledge
// is shared the other way: a worker that learns a MAC tells every other worker through its
// multi-producer update ring, since the ARP reply reaches only one of them.
//
// Owning by client address (not address and port) also keeps every connection of one client on
// one worker, which session affinity needs; the cost is that one very busy client loads one core.

#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ring.h>

#include <cstdint>
#include <vector>

#include "dataplane/net/address.hpp"

namespace sluice {

// The worker that owns flows of `client_addr` (network byte order) among `workers`.
inline unsigned flow_owner(uint32_t client_addr, unsigned workers) noexcept {
  const uint32_t h = rte_hash_crc_4byte(client_addr, 0x51c3u);
  // Multiply-shift maps the 32-bit hash onto [0, workers) without a division.
  return static_cast<unsigned>((uint64_t{h} * workers) >> 32);
}
inline unsigned flow_owner(const ip_addr& client, unsigned workers) noexcept {
  switch (client.family()) {
  case addr_family::ipv4:
    return flow_owner(client.v4(), workers);
  case addr_family::ipv6:
    return flow_owner(rte_hash_crc(client.v6(), 16, 0x51c3u), workers);
  }
  unknown_family();
}

struct neighbour_update {
  ip_addr addr;
  uint16_t iface;
  rte_ether_addr mac;
};
static_assert(sizeof(neighbour_update) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

class handoff_mesh {
public:
  static constexpr unsigned k_ring_size = 4096;
  static constexpr unsigned k_update_ring_size = 1024;

  // Throws std::runtime_error when the rings cannot be created (init time only).
  handoff_mesh(unsigned workers, int socket_id);
  ~handoff_mesh();
  handoff_mesh(const handoff_mesh&) = delete;
  handoff_mesh& operator=(const handoff_mesh&) = delete;

  unsigned workers() const noexcept { return workers_; }
  // Packets from worker `from` to worker `to` (from != to).
  rte_ring* packets(unsigned from, unsigned to) const noexcept {
    return packets_[from * workers_ + to];
  }
  rte_ring* neighbour_updates(unsigned to) const noexcept { return updates_[to]; }
  // Frees every packet still in a hand-off ring. Only while no worker runs: a stopping worker
  // calls it so that packets from its reassembly pool are gone before the pool is.
  void drain() const noexcept;

private:
  void release() noexcept;

  unsigned workers_;
  std::vector<rte_ring*> packets_;
  std::vector<rte_ring*> updates_;
};

} // namespace sluice
