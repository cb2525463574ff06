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

// A counter summed over every worker.
template <typename F>
uint64_t total(rig& r, F counter) {
  uint64_t n = 0;
  for (unsigned w = 0; w < r.workers(); ++w) n += counter(r.stats(w)).get();
  return n;
}

// Counter snapshot of the workers, to report deltas over the measured runs.
struct tally {
  uint64_t rx, tx, created, handoffs, drops[k_drop_reason_count];
  static tally of(rig& r) {
    tally t{total(r, [](worker_stats& s) -> counter& { return s.worker.rx_packets; }),
            total(r, [](worker_stats& s) -> counter& { return s.worker.tx_packets; }),
            total(r, [](worker_stats& s) -> counter& { return s.worker.flows_created; }),
            total(r, [](worker_stats& s) -> counter& { return s.worker.handoff_out; }), {}};
    for (std::size_t i = 0; i < k_drop_reason_count; ++i)
      t.drops[i] = total(r, [i](worker_stats& s) -> counter& { return s.worker.drops[i]; });
    return t;
  }
};

using workers = std::vector<std::unique_ptr<worker>>;

workers make_workers(rig& r) {
  workers ws;
  for (unsigned id = 0; id < r.workers(); ++id) ws.push_back(r.make_worker(id));
  return ws;
}

struct poll_worker {
  worker* w;
  unsigned operator()() const noexcept { return w->poll_once(); }
};
struct poll_forwarder {
  io_forwarder* f;
  unsigned operator()() const noexcept { return f->poll_once(); }
};
struct report_quiescent {
  const rcu_reader* rcu; // none for the forwarder
  void operator()() const noexcept {
    if (rcu) rcu->quiescent();
  }
};

// One run of poll[i] on every worker i's lcore and source at once, summed over the workers.
template <typename Poll>
run_result run_together(rig& r, std::vector<generator>& gen, const run_plan& plan,
                        std::array<Poll, 2>& poll, std::array<report_quiescent, 2>& quiesce) {
  if (r.workers() == 1) return measure(r.worker_lcore(), gen[0], r.source_ring(), plan, poll[0], quiesce[0]);
  const auto [a, b] = measure_two(r.worker_lcore(), {&gen[0], &gen[1]},
                                  {r.source_ring(0), r.source_ring(1)}, plan, poll, quiesce);
  return combined(a, b);
}

std::array<poll_worker, 2> gateway_polls(const workers& ws) {
  return {poll_worker{ws[0].get()}, poll_worker{ws.size() > 1 ? ws[1].get() : nullptr}};
}

void note_drops(report& rep, const tally& a, const tally& b, const char* phase) {
  for (std::size_t i = 0; i < k_drop_reason_count; ++i)
    if (b.drops[i] != a.drops[i])
      rep.notes.push_back(std::string(phase) + ": " + std::to_string(b.drops[i] - a.drops[i]) +
                          " dropped as " + std::string(k_drop_reason_names[i]));
}

// Alternates ceiling and gateway runs over the same streams, `o.runs` of each; with two
// workers, two io forwarders (one per queue) are the ceiling.
void measure_pairs(report& rep, rig& r, const workers& ws, std::vector<generator>& gen,
                   const options& o) {
  std::vector<std::unique_ptr<rcu_reader>> rcu;
  std::vector<io_forwarder> io;
  for (unsigned id = 0; id < r.workers(); ++id) {
    rcu.push_back(std::make_unique<rcu_reader>(r.publisher().qsbr(), id));
    io.emplace_back(r.source_port(), r.sink_port(), uint16_t(id));
  }
  const run_plan plan{.until = run_until::deadline, .source = o.source, .seconds = o.seconds};
  std::array<report_quiescent, 2> nothing{};
  std::array<report_quiescent, 2> quiescent{{{rcu[0].get()}, {r.workers() > 1 ? rcu[1].get() : nullptr}}};
  std::array<poll_worker, 2> gateway = gateway_polls(ws);
  std::array<poll_forwarder, 2> forward{{{&io[0]}, {r.workers() > 1 ? &io[1] : nullptr}}};
  const tally before = tally::of(r);
  for (unsigned i = 0; i < o.runs; ++i) {
    rep.ceiling.push_back(run_together(r, gen, plan, forward, nothing));
    rep.gateway.push_back(run_together(r, gen, plan, gateway, quiescent));
  }
  const tally after = tally::of(r);
  rep.gateway_rx = after.rx - before.rx;
  rep.gateway_tx = after.tx - before.tx;
  rep.flows_created = after.created - before.created;
  for (const auto& w : ws) rep.flows_live += w->flows().size();
  note_drops(rep, before, after, "measured runs");
  if (r.workers() > 1)
    rep.notes.push_back(fmt::format("{} workers: {} of {} packets handed to the other worker",
                                    r.workers(), after.handoffs - before.handoffs, rep.gateway_rx));
}

void note_acl(report& rep, rig& r, const options& o) {
  if (o.acl_rules + o.acl_patterns == 0) return;
  rep.notes.push_back("acl: global set of " + std::to_string(o.acl_rules) + " address rules and " +
                      std::to_string(o.acl_patterns) + " payload patterns; " +
                      std::to_string(total(r, [](worker_stats& s) -> counter& { return s.worker.acl_scans; })) + " payload scans in all");
}

// Connections each backend slot was given (warm-up included): shows the scheduler at work.
void note_spread(report& rep, rig& r, const options& o) {
  std::string note = fmt::format("connections per backend ({}):", name_of(o.scheduler));
  for (unsigned b = 0; b < o.backends; ++b) note += fmt::format(" {}", total(r, [b](worker_stats& s) -> counter& { return s.backends[b].conns; }));
  rep.notes.push_back(std::move(note));
}

rig_options rig_for(const options& o, const flow_timeouts& t) {
  const uint64_t cap = o.capacity ? o.capacity : o.flows;
  if (cap > UINT32_MAX / 2) throw std::runtime_error("flow capacity too large for one worker");
  return {.flow_capacity = uint32_t(cap), .timeouts = t, .backends = o.backends,
          .worker_lcore = o.worker_lcore, .workers = o.workers, .mode = o.mode, .scheduler = o.scheduler, .acl_rules = o.acl_rules, .acl_patterns = o.acl_patterns};
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
  const workers ws = make_workers(r); // one: main refuses --workers 2 here
  const std::unique_ptr<worker>& w = ws[0];
  rep.memory = cost_per_flow(before, sample_memory(socket), o.capacity ? o.capacity : o.flows);

  // Warm-up through the real worker: one SYN then one ACK per flow, so every flow is tracked
  // and established before anything is timed.
  const tally t0 = tally::of(r);
  auto poll = [&w] { return w->poll_once(); };
  auto nothing = [] {};
  for (const frame_template* f : {&syn, &ack}) {
    generator warm(r.source_ring(), r.pool(),
                   {.frame = *f, .order = flow_order::sequential, .flows = o.flows, .first = 0, .limit = o.flows});
    measure(r.worker_lcore(), warm, r.source_ring(), {.until = run_until::drained, .source = o.source}, poll, nothing);
  }
  note_drops(rep, t0, tally::of(r), "warm-up");
  if (w->flows().size() != o.flows)
    rep.notes.push_back("warm-up left " + std::to_string(w->flows().size()) + " flows, not " +
                        std::to_string(o.flows));

  std::vector<generator> gen;
  gen.emplace_back(r.source_ring(), r.pool(), stream{.frame = ack, .order = o.order, .flows = o.flows});
  measure_pairs(rep, r, ws, gen, o);
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
  const workers ws = make_workers(r);
  rep.memory = cost_per_flow(before, sample_memory(socket),
                             (o.capacity ? o.capacity : o.flows) * r.workers());

  // Client tuples never repeat: 2^30 of them per worker's source outlast any run at these
  // rates. The generator changes the client address every 16,384 tuples and flows are owned by
  // client address, so with two workers the tuples are drawn at random (a repeat is rare at
  // 2^30): about half of each source's SYNs belong to the other worker and cross the handoff
  // ring, as with af_packet or RSS that does not hash by client address.
  const flow_order order = r.workers() > 1 ? flow_order::random : flow_order::sequential;
  std::vector<generator> gen;
  for (unsigned id = 0; id < r.workers(); ++id)
    gen.emplace_back(r.source_ring(id), r.pool(),
                     stream{.frame = syn, .order = order, .flows = uint64_t(1) << 30,
                            .first = uint64_t(id) << 30});
  // One untimed run brings the table to its steady occupancy.
  std::array<poll_worker, 2> poll = gateway_polls(ws);
  std::array<report_quiescent, 2> nothing{};
  run_together(r, gen, {.until = run_until::deadline, .source = o.source, .seconds = o.seconds}, poll, nothing);
  measure_pairs(rep, r, ws, gen, o);
  note_acl(rep, r, o);
  note_spread(rep, r, o);
  return rep;
}

} // namespace sluice::bench
