#pragma once
// Full-NAT forwarding (DPVS "FullNat"): both ends of the packet change. Towards the backend the
// source becomes one of the gateway's local addresses and a local port, the destination the
// backend; replies (backend -> local address:port) get the VIP as source and the client as
// destination. Backends therefore need no route back through the gateway, and the gateway sees
// both directions of every connection.
//
// Local ports are partitioned among workers so that a reply names its owner: the worker that
// opens a flow only hands out ports p with p % workers == its id (DPVS keeps the worker in the
// port's low bits; the modulo is the same thing for power-of-two worker counts and also covers
// the others). Any worker receiving a reply computes the owner from the destination port alone.

#include <cstdint>

#include "dataplane/net/parse.hpp"
#include "dataplane/xmit/nat.hpp"

namespace sluice {

// Local ports below 1024 are left to the well-known services a backend might also talk to.
inline constexpr uint16_t k_fnat_first_port = 1024;

// The worker owning a full-NAT flow whose local port is `port_be` (network byte order).
inline unsigned fnat_port_owner(uint16_t port_be, unsigned workers) noexcept {
  return rte_be_to_cpu_16(port_be) % workers;
}

// One worker's share of the local port space: the ports in [k_fnat_first_port, 65535] that are
// congruent to the worker's id, handed out round robin. Holds no per-port state: a port is busy
// when the flow table already holds the reply tuple it would make, which the caller checks by
// inserting (flow_table::insert() returns -EEXIST), so nothing is allocated or freed per flow.
class fnat_port_cursor {
public:
  fnat_port_cursor(unsigned worker, unsigned workers) noexcept;

  // The next candidate port, host byte order.
  uint16_t next() noexcept;
  // How many distinct ports this worker owns.
  uint32_t size() const noexcept { return count_; }

private:
  uint32_t first_;   // smallest owned port
  uint32_t stride_;  // the worker count
  uint32_t count_;
  uint32_t cursor_ = 0;
};

// This worker's full-NAT local endpoints: every (local address, owned port) pair in turn, the
// address changing fastest so consecutive flows spread over the pool. Advancing address and
// port together would visit only lcm(addresses, ports) pairs — with 8 addresses and 64,512
// ports, one pair in eight — and a busy backend would run out of local endpoints early.
class fnat_local_cursor {
public:
  fnat_local_cursor(unsigned worker, unsigned workers) noexcept : ports_(worker, workers) {}

  struct choice {
    uint32_t address_index; // into the service's local address pool (0 when it has none)
    uint16_t port;          // host byte order
  };
  // The next pair for a pool of `addresses` (>= 1; may change between calls as snapshots do).
  choice next(uint32_t addresses) noexcept;
  // How many distinct ports this worker owns.
  uint32_t ports() const noexcept { return ports_.size(); }

private:
  fnat_port_cursor ports_;
  uint32_t address_ = 0;
  uint16_t port_ = 0;
};

// Client -> backend: TTL - 1, source := local, destination := backend; checksums patched.
// Requires a TCP/UDP packet that passed parse_ipv4() and check_l4_header(), and TTL > 1.
void fnat_rewrite_forward(const ipv4_packet& pkt, endpoint local, endpoint backend) noexcept;
// Backend -> client: TTL - 1, source := VIP, destination := client; checksums patched.
void fnat_rewrite_reply(const ipv4_packet& pkt, endpoint vip, endpoint client) noexcept;

} // namespace sluice
