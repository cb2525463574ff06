#pragma once
// What a worker is given at start: everything the control plane and the assembly decide about a
// worker, and nothing of its internals.

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "dataplane/flow/timeouts.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/port/rx_wakeup.hpp"

namespace sluice {

class handoff_mesh;
class command_rings;
class trace_hub;

struct static_neighbour {
  uint16_t iface;
  ip_addr addr;
  rte_ether_addr mac;
};

// An interface's kernel twin (a net_tap port): traffic for the interface's own address that the
// dataplane does not handle goes to it, and what the kernel sends on it leaves by the interface.
struct exception_port {
  uint16_t port;           // DPDK port id of the tap; queue `worker id` is the worker's
  uint32_t rate_limit_pps; // per direction, for all workers together
};

// dataplane.idle: whether a worker without traffic gives its core back (adaptive) or polls
// flat out (poll), and how.
struct idle_setup {
  enum class mode : uint8_t { poll, adaptive } how = mode::poll;
  uint32_t spin_us = 20;              // empty polls before the first sleep
  uint32_t max_sleep_us = 1000;       // the bound of one sleep
  std::vector<rx_wakeup> wakeups;     // of this worker's RX queues, where they have one
};

struct worker_setup {
  unsigned id;                  // worker index: RCU thread id and queue id on every port
  std::vector<uint16_t> ports;  // DPDK port id of each interface, by interface index
  rte_mempool* pool;            // for packets the worker originates (ARP requests)
  uint32_t flow_capacity;
  // Half-open (TCP SYN_RECV) flows at most (dataplane.max_half_open); the default, above any
  // flow_capacity, evicts nothing.
  uint32_t max_half_open = UINT32_MAX;
  uint32_t affinity_capacity = 65536;
  flow_timeouts timeouts;
  uint32_t neighbour_capacity = 1024;
  std::vector<static_neighbour> static_neighbours;
  int socket_id;
  const handoff_mesh* mesh = nullptr; // required when there is more than one worker
  const command_rings* commands = nullptr; // the control plane's flow requests; optional
  trace_hub* trace = nullptr;              // per-packet tracing (trace/hub.hpp); optional
  // By interface index (shorter or empty: no exception path for the rest).
  std::vector<std::optional<exception_port>> exception_ports;
  // IPv4 reassembly: datagrams waiting for fragments at once, and how long each may wait from
  // its first fragment (Linux waits 30 s; a gateway holding 64 KiB per slot cannot afford to).
  uint32_t reassembly_slots = 64;
  uint32_t reassembly_timeout_ms = 2000;
  idle_setup idle;
};

} // namespace sluice
