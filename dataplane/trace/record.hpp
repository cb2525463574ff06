#pragma once
// One traced packet: what each stage of the burst decided about it, written by its worker into
// that worker's trace ring (trace/hub.hpp) and read by the control plane (GET /v1/trace). Fixed
// size and plain data, so a worker copies it into the ring without allocating; addresses and
// ports in network byte order, as on the wire.

#include <cstdint>

#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

// How the packet left the worker.
enum class trace_outcome : uint8_t {
  forwarded, // onto a port's TX batch (out_iface), rewritten or answered locally (`local`)
  to_kernel, // to its interface's kernel twin (the exception path)
  handed_off,// to the worker that owns its flow (handoff_to)
  held,      // kept by the worker: waiting for ARP, or a fragment waiting for its datagram
  dropped,   // counted under `drop`
};

// What the flow table said.
enum class trace_flow : uint8_t {
  none, // the packet never reached the flow lookup (local delivery, ARP, drops in parse)
  hit,  // an established flow
  miss, // no flow, and none was opened (dropped, or given to the kernel)
  opened, // no flow: the miss path opened one
};

// The ACLs' say on it: only a new flow (or a flow waiting for its payload) is judged.
enum class trace_acl : uint8_t { not_judged, allowed, denied, pending };

inline constexpr uint32_t k_trace_no_rule = UINT32_MAX;

struct trace_tuple {
  uint32_t src = 0;
  uint32_t dst = 0;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t proto = 0; // 0: no IPv4 header could be read
  bool operator==(const trace_tuple&) const = default;
};

struct trace_record {
  uint64_t tsc = 0;       // the worker's clock for the poll that handled it
  trace_tuple before;     // as it arrived
  trace_tuple after;      // as it left (outcome forwarded); the outer header of a TUN packet
  uint32_t client = 0;    // its flow's client; without a flow, the source it arrived with
  uint32_t vip = 0;       // its flow's service (flow hit or opened)
  uint32_t backend = 0;   // its flow's backend
  uint32_t next_hop = 0;  // the neighbour it left through (0: unknown, or a port reply)
  uint32_t acl_rule = k_trace_no_rule; // the ACL hit slot that decided (acl_hits counters)
  uint16_t vip_port = 0;
  uint16_t backend_port = 0;
  uint16_t in_iface = 0;
  uint16_t out_iface = 0;
  uint8_t worker = 0;
  uint8_t handoff_to = 0;  // outcome handed_off: the owning worker
  uint8_t tcp_flags = 0;
  trace_outcome outcome = trace_outcome::dropped;
  trace_flow flow = trace_flow::none;
  trace_acl acl = trace_acl::not_judged;
  uint8_t mode = 0;        // forwarding of the flow (xmit/forwarding.hpp), when it has one
  uint8_t scheduler = 0;   // scheduler_kind of the flow's service, when it has one
  drop_reason drop = drop_reason::count_; // outcome dropped
  bool reply = false;      // travelling backend -> client on its flow
  bool local = false;      // consumed by local delivery (ARP, ICMP echo, exception path)
  bool handed_in = false;  // arrived from another worker's hand-off
};
static_assert(sizeof(trace_record) % 4 == 0, "rte_ring elements are multiples of 4 bytes");
static_assert(sizeof(trace_record) <= 96);

} // namespace sluice
