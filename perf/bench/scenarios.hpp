#pragma once
// The benchmark scenarios. Each builds its own rig, warms it as the scenario needs, then
// alternates ceiling and gateway runs so both see the same machine weather.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perf/bench/measure.hpp"
#include "perf/bench/memory.hpp"
#include "control/config/model.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/trace/filter.hpp"
#include "dataplane/xmit/forwarding.hpp"

namespace sluice::bench {

// Which flows each worker's source carries with two workers.
enum class steering {
  owner, // only flows its worker owns (RSS steering by client address: no hand-off)
  any,   // all flows: about half belong to the other worker and cross the hand-off ring
};

struct options {
  std::string scenario;      // MODE-established | MODE-new, MODE one of nat dr tun fnat
  forwarding mode = forwarding::nat;
  scheduler_kind scheduler = scheduler_kind::rr; // of the one service
  unsigned backends = 4;
  unsigned workers = 1;      // 2: inline source: worker 0 polls on the main lcore, worker 1 on
                             // worker_lcore; lcore source: on worker_lcore and second_worker_lcore
  steering steer = steering::owner; // established flows with two workers
  unsigned port_bits = k_default_port_bits; // log2 of client ports (flows) per client address
  uint64_t flows = 1u << 20; // established: flows kept; new: flow table capacity
  uint64_t capacity = 0;     // flows_per_worker; 0: equal to flows
  std::optional<uint32_t> max_half_open; // dataplane.max_half_open; absent: its default
  unsigned size = 64;        // frame size on the wire, FCS included
  unsigned runs = 5;
  double seconds = 2;
  flow_order order = flow_order::random;
  unsigned worker_lcore = 1;
  unsigned second_worker_lcore = 2; // two workers with the lcore source only
  source_mode source = source_mode::inline_refill;
  unsigned acl_rules = 0;    // address rules in a global ACL set (none match the traffic)
  unsigned acl_patterns = 0; // payload rules (one Hyperscan pattern each) in that set
  // Verdicts marked on every generated mbuf (--rx-checksums good: IP and L4 GOOD, as a NIC
  // verifying checksums would); none by default, as from net_ring: the worker sums in software.
  uint64_t rx_flags = 0;
  // dataplane.idle of the workers; poll by default, as the figures before it were measured.
  idle_mode idle = idle_mode::poll;
  // A trace session armed on the workers for the whole run (--trace-vip): its cost when the
  // filter matches nothing of the traffic. Absent: no session, the workers' one check per burst.
  std::optional<trace_filter> trace;
};

// Flow capacity of the probe worker that prices a worker's fixed state (report.memory).
inline constexpr uint32_t k_probe_flows = 64;

struct report {
  std::string scenario;
  options opts;
  std::vector<run_result> gateway;
  std::vector<run_result> ceiling;
  memory_cost memory{};
  uint64_t gateway_rx = 0, gateway_tx = 0, flows_created = 0, flows_live = 0;
  std::vector<std::string> notes; // drops and anything that makes the numbers suspect
};

// Every packet of an established flow (warmed up with SYN + ACK on the flow's owner), or a SYN
// opening a new flow, through the service in o.mode.
report run_established(const options& o);
report run_new(const options& o);

} // namespace sluice::bench
