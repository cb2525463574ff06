#pragma once
// The scheduler dispatcher: which backend a new flow of a service goes to, by the service's
// scheduler (IPVS semantics; weight 0 drains: never picked for a new flow). Per-worker state
// (cursors, the random generator) lives in scheduler_state, allocated when the worker is made.

#include <cstdint>
#include <memory>
#include <optional>

#include "dataplane/net/parse.hpp"
#include "dataplane/sched/destination_hash.hpp"
#include "dataplane/sched/least_connection.hpp"
#include "dataplane/sched/maglev.hpp"
#include "dataplane/sched/random.hpp"
#include "dataplane/sched/round_robin.hpp"
#include "dataplane/sched/source_hash.hpp"
#include "dataplane/sched/weighted_least_connection.hpp"
#include "dataplane/sched/weighted_round_robin.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

// One worker's scheduler state, indexed by service slot (stable across republication).
struct scheduler_state {
  scheduler_state(uint32_t service_slots, unsigned worker_id)
      : rr_cursor(std::make_unique<uint32_t[]>(service_slots)),
        wrr(std::make_unique<wrr_cursor[]>(service_slots)), rng(worker_id) {}

  std::unique_ptr<uint32_t[]> rr_cursor;
  std::unique_ptr<wrr_cursor[]> wrr;
  xorshift64 rng;
};

// A new connection as the schedulers see it (network byte order).
struct sched_tuple {
  uint32_t client_addr;
  uint32_t vip;
  uint16_t client_port;
  uint16_t vip_port;
  uint8_t proto;
};

// Valid for a parsed TCP or UDP packet from client to VIP.
inline sched_tuple sched_tuple_of(const ipv4_packet& p) noexcept {
  const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
  return {.client_addr = p.ip->src_addr, .vip = p.ip->dst_addr, .client_port = ports[0],
          .vip_port = ports[1], .proto = p.proto};
}

// Returns an index into svc.backends(), or nullopt when no backend may take a new flow.
// `per_backend` is the calling worker's counters by backend slot (lc, wlc).
inline std::optional<uint32_t> pick_backend(const snapshot& s, const snapshot_service& svc,
                                            const sched_tuple& t, scheduler_state& st,
                                            const traffic_counters* per_backend) noexcept {
  switch (svc.scheduler) {
  case scheduler_kind::rr: return pick_round_robin(svc, st.rr_cursor[svc.slot]);
  case scheduler_kind::wrr: return pick_weighted_round_robin(s, svc, st.wrr[svc.slot]);
  case scheduler_kind::lc: return pick_least_connection(svc, per_backend);
  case scheduler_kind::wlc: return pick_weighted_least_connection(svc, per_backend);
  case scheduler_kind::sh: return pick_source_hash(svc, t.client_addr);
  case scheduler_kind::dh: return pick_destination_hash(svc, t.vip);
  case scheduler_kind::mh:
    return pick_maglev(svc, t.client_addr, t.client_port, t.vip, t.vip_port, t.proto);
  case scheduler_kind::random: return pick_random(svc, st.rng);
  }
  return std::nullopt;
}

} // namespace sluice
