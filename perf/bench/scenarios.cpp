#include "perf/bench/scenarios.hpp"

#include <rte_lcore.h>

#include <fmt/core.h>

#include <stdexcept>
#include <string>

#include "control/config/model.hpp"
#include "dataplane/flow/flow.hpp"
#include "perf/bench/ceiling.hpp"
#include "perf/bench/rig.hpp"

namespace sluice::bench {
namespace {

frame_template make_frame(const rig& r, uint8_t flags, unsigned size) {
  frame_template t({.dst_mac = r.uplink_mac(), .vip = r.vip(), .vip_port = k_vip_port,
                    .tcp_flags = flags, .wire_size = size});
  if (!t.self_check(4096)) throw std::runtime_error("frame template disagrees with packet_builder");
  return t;
}

// Counter snapshot of the worker, to report deltas over the measured runs.
struct tally {
  uint64_t rx, tx, created, drops[k_drop_reason_count];
  static tally of(const worker_stats& s) {
    tally t{s.worker.rx_packets.get(), s.worker.tx_packets.get(), s.worker.flows_created.get(), {}};
    for (std::size_t i = 0; i < k_drop_reason_count; ++i) t.drops[i] = s.worker.drops[i].get();
    return t;
  }
};

void note_drops(report& rep, const tally& a, const tally& b, const char* phase) {
  for (std::size_t i = 0; i < k_drop_reason_count; ++i)
    if (b.drops[i] != a.drops[i])
      rep.notes.push_back(std::string(phase) + ": " + std::to_string(b.drops[i] - a.drops[i]) +
                          " dropped as " + std::string(k_drop_reason_names[i]));
}

// Alternates ceiling and gateway runs over the same stream, `o.runs` of each.
void measure_pairs(report& rep, rig& r, worker& w, generator& gen, const options& o) {
  const rcu_reader rcu(r.publisher().qsbr(), 0);
  io_forwarder io(r.source_port(), r.sink_port());
  const run_plan plan{.until = run_until::deadline, .source = o.source, .seconds = o.seconds};
  auto nothing = [] {};
  auto report_quiescent = [&rcu] { rcu.quiescent(); };
  auto gateway = [&w] { return w.poll_once(); };
  auto forward = [&io] { return io.poll_once(); };
  const tally before = tally::of(r.stats());
  for (unsigned i = 0; i < o.runs; ++i) {
    rep.ceiling.push_back(measure(r.worker_lcore(), gen, r.source_ring(), plan, forward, nothing));
    rep.gateway.push_back(measure(r.worker_lcore(), gen, r.source_ring(), plan, gateway, report_quiescent));
  }
  const tally after = tally::of(r.stats());
  rep.gateway_rx = after.rx - before.rx;
  rep.gateway_tx = after.tx - before.tx;
  rep.flows_created = after.created - before.created;
  rep.flows_live = w.flows().size();
  note_drops(rep, before, after, "measured runs");
}

void note_acl(report& rep, rig& r, const options& o) {
  if (o.acl_rules + o.acl_patterns == 0) return;
  rep.notes.push_back("acl: global set of " + std::to_string(o.acl_rules) + " address rules and " +
                      std::to_string(o.acl_patterns) + " payload patterns; " +
                      std::to_string(r.stats().worker.acl_scans.get()) + " payload scans in all");
}

// Connections each backend slot was given (warm-up included): shows the scheduler at work.
void note_spread(report& rep, rig& r, const options& o) {
  std::string note = fmt::format("connections per backend ({}):", name_of(o.scheduler));
  for (unsigned b = 0; b < o.backends; ++b) note += fmt::format(" {}", r.stats().backends[b].conns.get());
  rep.notes.push_back(std::move(note));
}

rig_options rig_for(const options& o, const flow_timeouts& t) {
  const uint64_t cap = o.capacity ? o.capacity : o.flows;
  if (cap > UINT32_MAX / 2) throw std::runtime_error("flow capacity too large for one worker");
  return {.flow_capacity = uint32_t(cap), .timeouts = t, .backends = o.backends,
          .worker_lcore = o.worker_lcore, .mode = o.mode, .scheduler = o.scheduler, .acl_rules = o.acl_rules, .acl_patterns = o.acl_patterns};
}

} // namespace

report run_established(const options& o) {
  report rep{.scenario = o.scenario, .opts = o};
  rig r(rig_for(o, flow_timeouts{}));
  prime_pool(r.pool());
  const frame_template syn = make_frame(r, k_tcp_syn, o.size);
  const frame_template ack = make_frame(r, k_tcp_ack, o.size);

  const int socket = int(rte_lcore_to_socket_id(o.worker_lcore));
  const memory_sample before = sample_memory(socket);
  const std::unique_ptr<worker> w = r.make_worker();
  rep.memory = cost_per_flow(before, sample_memory(socket), o.capacity ? o.capacity : o.flows);

  // Warm-up through the real worker: one SYN then one ACK per flow, so every flow is tracked
  // and established before anything is timed.
  const tally t0 = tally::of(r.stats());
  auto poll = [&w] { return w->poll_once(); };
  auto nothing = [] {};
  for (const frame_template* f : {&syn, &ack}) {
    generator warm(r.source_ring(), r.pool(),
                   {.frame = *f, .order = flow_order::sequential, .flows = o.flows, .first = 0, .limit = o.flows});
    measure(r.worker_lcore(), warm, r.source_ring(), {.until = run_until::drained, .source = o.source}, poll, nothing);
  }
  note_drops(rep, t0, tally::of(r.stats()), "warm-up");
  if (w->flows().size() != o.flows)
    rep.notes.push_back("warm-up left " + std::to_string(w->flows().size()) + " flows, not " +
                        std::to_string(o.flows));

  generator gen(r.source_ring(), r.pool(), {.frame = ack, .order = o.order, .flows = o.flows});
  measure_pairs(rep, r, *w, gen, o);
  note_acl(rep, r, o);
  note_spread(rep, r, o);
  return rep;
}

report run_new(const options& o) {
  report rep{.scenario = o.scenario, .opts = o};
  // A SYN-recv timeout of zero lets the expiry sweep (64 slots per poll) free flows as fast as
  // SYNs open them, so the table stays in a steady state instead of filling up mid-run.
  flow_timeouts t{};
  t.tcp_syn_recv = 0;
  rig r(rig_for(o, t));
  prime_pool(r.pool());
  const frame_template syn = make_frame(r, k_tcp_syn, o.size);

  const int socket = int(rte_lcore_to_socket_id(o.worker_lcore));
  const memory_sample before = sample_memory(socket);
  const std::unique_ptr<worker> w = r.make_worker();
  rep.memory = cost_per_flow(before, sample_memory(socket), o.capacity ? o.capacity : o.flows);

  // Client tuples never repeat: 2^30 of them outlast any run at these rates.
  generator gen(r.source_ring(), r.pool(),
                {.frame = syn, .order = flow_order::sequential, .flows = uint64_t(1) << 30});
  // One untimed run brings the table to its steady occupancy.
  auto poll = [&w] { return w->poll_once(); };
  auto nothing = [] {};
  measure(r.worker_lcore(), gen, r.source_ring(), {.until = run_until::deadline, .source = o.source, .seconds = o.seconds},
          poll, nothing);
  measure_pairs(rep, r, *w, gen, o);
  note_acl(rep, r, o);
  note_spread(rep, r, o);
  return rep;
}

} // namespace sluice::bench
