#pragma once
// Requests the control plane makes of a worker about the flows it owns: flush (erase) or sample
// (copy out) the ones matching a filter. Only the owning worker may touch its flow table, so the
// control plane passes a request through the worker's bounded command ring and waits; the worker
// takes one request at a time and advances it by a bounded number of flow slots per loop, so a
// flush of a million-flow table never stalls forwarding for more than a few microseconds.
//
// Ownership: the control plane allocates the request and keeps it alive until `done` is set
// (release); after that the worker never touches it again.

#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "dataplane/flow/flow.hpp"

namespace sluice {

struct flow_filter {
  static constexpr uint32_t k_any = UINT32_MAX;
  uint32_t service_slot = k_any;
  uint32_t backend_slot = k_any;
  uint32_t client_addr = 0;  // network byte order; 0: any
  uint16_t client_port = 0;  // network byte order; with client_addr; 0: any port
  uint32_t backend_addr = 0; // network byte order; 0: any
  uint16_t backend_port = 0; // network byte order; with backend_addr; 0: any port

  bool matches(const flow& f) const noexcept {
    return (service_slot == k_any || f.service_slot == service_slot) &&
           (backend_slot == k_any || f.backend_slot == backend_slot) &&
           (client_addr == 0 || (f.client_addr == client_addr &&
                                 (client_port == 0 || f.client_port == client_port))) &&
           (backend_addr == 0 || (f.backend_addr == backend_addr &&
                                  (backend_port == 0 || f.backend_port == backend_port)));
  }
};

struct flow_sample {
  flow record;
  uint32_t expires_in_ms; // until the flow's idle timeout, if no packet comes
};

struct flow_command {
  enum class op : uint8_t { flush, sample } kind;
  flow_filter filter;
  flow_sample* rows = nullptr; // sample: room for `capacity` rows, owned by the control plane
  uint32_t capacity = 0;

  // Written by the worker; read by the control plane once `done` is set.
  uint32_t matched = 0;   // flows that matched (a sample copies the first `capacity`)
  uint32_t next_slot = 0; // progress through the flow table
  std::atomic<bool> done{false};
};

// A gratuitous ARP the control plane asks for (announce.l2): a broadcast ARP announcement of
// `addr` from interface `iface`'s MAC (RFC 5227: request, sender and target address both addr).
struct garp_request {
  uint32_t addr; // network byte order
  uint16_t iface;
  uint16_t pad_ = 0;
};

// One single-producer (the control plane, under its lock) single-consumer (the worker) ring of
// flow_command pointers per worker, and the ring of garp_requests worker 0 sends (fire and
// forget: nothing waits for them).
class command_rings {
public:
  static constexpr unsigned k_ring_size = 64;
  static constexpr unsigned k_garp_ring_size = 4096;

  // Throws std::runtime_error when a ring cannot be created (init time only).
  command_rings(unsigned workers, int socket_id);
  ~command_rings();
  command_rings(const command_rings&) = delete;
  command_rings& operator=(const command_rings&) = delete;

  unsigned workers() const noexcept { return unsigned(rings_.size()); }
  rte_ring* of(unsigned worker) const noexcept { return rings_[worker]; }
  rte_ring* garps() const noexcept { return garps_; }

private:
  std::vector<rte_ring*> rings_;
  rte_ring* garps_ = nullptr;
};

} // namespace sluice
