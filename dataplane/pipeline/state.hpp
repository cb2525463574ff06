#pragma once
// What the stages of a burst read and write. A worker owns one for its life and hands it, with
// the snapshot its poll read, to the stages it composes a burst from (worker/worker.cpp); the
// stages reach nothing else of the worker (its loop, idle policy, control-plane rings). Grouped
// by what uses each part; dataplane/README.md says which stage reads and writes which.

#include <rte_mbuf.h>

#include <cstdint>
#include <vector>

#include "dataplane/egress/egress.hpp"
#include "dataplane/flow/affinity.hpp"
#include "dataplane/flow/half_open_limit.hpp"
#include "dataplane/flow/ledger.hpp"
#include "dataplane/flow/table.hpp"
#include "dataplane/frag/buffers.hpp"
#include "dataplane/frag/reassembly.hpp"
#include "dataplane/icmp/rate_limit.hpp"
#include "dataplane/sched/pick.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/trace/hub.hpp"
#include "dataplane/worker/burst.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/setup.hpp"
#include "dataplane/xmit/fnat.hpp"

namespace sluice {

// A new flow as the miss stage scheduled it, before its insert.
struct new_flow {
  flow f;
  bool adopted;      // not opened by its first packet (an mh dr/tun mid-connection segment)
  bool untracked_ok; // forwarded untracked when the table is full or half-open flows at the cap
  // Full-NAT: f.local_addr and f.local_port hold the first local endpoint to try, drawn when
  // the flow was planned.
  bool local_drawn;
  // A planned flow that plan_new_flows() counted as its backend's flow (forward_miss() takes
  // the count back): all but a full-NAT one left without a local endpoint.
  bool counted_as_planned() const noexcept { return f.mode != forwarding::fnat || local_drawn; }
};

struct pipeline_state {
  // Throws std::runtime_error when the tables' or the reassembly pool's memory cannot be had.
  pipeline_state(const worker_setup& setup, worker_stats& all, uint64_t hz);
  ~pipeline_state();
  pipeline_state(const pipeline_state&) = delete;
  pipeline_state& operator=(const pipeline_state&) = delete;

  // Who this worker is among the others, fixed at start: ownership and hand-offs.
  const unsigned id;
  const unsigned workers;
  const std::vector<uint16_t> ports;   // DPDK port id by interface index
  std::vector<uint16_t> iface_of_port; // by DPDK port id
  const handoff_mesh* const mesh;
  // Where traced packets' records go, and the session armed, read once per burst (nullptr: a
  // worker set up without tracing).
  trace_hub* const trace;
  const uint64_t tsc_hz;
  uint64_t now = 0; // TSC, read once per poll by the worker

  worker_stats& stats;
  worker_counters& counters;

  // Flows: the table and the one place that accounts for them.
  flow_table flows;
  flow_ledger ledger;
  half_open_limit half_open; // dataplane.max_half_open

  // The miss path: affinity templates, scheduler cursors (per service slot, and the random
  // generator), this worker's full-NAT local address:port pairs, and the plans for the burst
  // being forwarded (a member, not a local: a flow's default member initialisers would run for
  // every slot of every burst).
  affinity_table affinity;
  scheduler_state sched;
  fnat_local_cursor local_endpoints;
  new_flow planned[k_burst];

  // What the worker originates: every ICMP message under one rate limit, TUN's outer IPv4 IDs
  // (id + k * workers, unique across workers).
  icmp_rate_limiter icmp_limit;
  uint16_t tun_sent = 0;

  // IPv4 reassembly: the table, its buffers' pool, and the datagram each slot is building.
  frag_buffer_pool frag_pool;
  reassembly_table frags;
  std::vector<rte_mbuf*> frag_buffers;

  egress out;
};

} // namespace sluice
