#include "perf/bench/scenarios.hpp"

#include <rte_lcore.h>

#include <fmt/core.h>

#include <endian.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "control/config/model.hpp"
#include "dataplane/flow/flow.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/trace/hub.hpp"
#include "dataplane/worker/worker.hpp"
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
uint64_t total(dataplane_assembly& d, F counter) {
  uint64_t n = 0;
  for (unsigned w = 0; w < d.workers(); ++w) n += counter(d.stats(w)).get();
  return n;
}

// Counter snapshot of one worker or of all, to report deltas over the measured runs.
struct tally {
  uint64_t rx = 0, tx = 0, created = 0, handoff_out = 0, handoff_in = 0;
  uint64_t drops[k_drop_reason_count] = {};

  static tally of(const dataplane_assembly& d, unsigned w) {
    const worker_counters& c = d.stats(w).worker;
    tally t{.rx = c.rx_packets.get(), .tx = c.tx_packets.get(), .created = c.flows_created.get(),
            .handoff_out = c.handoff_out.get(), .handoff_in = c.handoff_in.get()};
    for (std::size_t i = 0; i < k_drop_reason_count; ++i) t.drops[i] = c.drops[i].get();
    return t;
  }
  static tally of(const dataplane_assembly& d) {
    tally t;
    for (unsigned w = 0; w < d.workers(); ++w) {
      const tally one = of(d, w);
      t.rx += one.rx, t.tx += one.tx, t.created += one.created;
      t.handoff_out += one.handoff_out, t.handoff_in += one.handoff_in;
      for (std::size_t i = 0; i < k_drop_reason_count; ++i) t.drops[i] += one.drops[i];
    }
    return t;
  }
};

// The rig's dataplane with the config published, and the heap its flow tables take per flow
// (rep.memory). A dataplane holds megabytes whatever its capacity (each worker's reassembly
// buffers, affinity and neighbour tables; the rings between them): the same dataplane with
// k_probe_flows tables, made and freed first, prices that part, which is left out.
std::unique_ptr<dataplane_assembly> make_dataplane(rig& r, const options& o, report& rep) {
  const int socket = int(rte_lcore_to_socket_id(o.worker_lcore));
  const uint64_t capacity = o.capacity ? o.capacity : o.flows;
  uint64_t probe_heap = 0, probe_flows = 0;
  if (capacity > k_probe_flows) {
    const memory_sample before = sample_memory(socket);
    const std::unique_ptr<dataplane_assembly> probe = r.assemble(k_probe_flows);
    probe_heap = sample_memory(socket).heap_allocated - before.heap_allocated;
    probe_flows = uint64_t(k_probe_flows) * r.workers();
  }
  const memory_sample before = sample_memory(socket);
  std::unique_ptr<dataplane_assembly> d = r.assemble();
  rep.memory = cost_per_flow(before, sample_memory(socket), capacity * r.workers(), probe_heap, probe_flows);
  r.publish(*d);
  if (o.trace) {
    auto session = std::make_unique<trace_session>(*o.trace, INT64_MAX, UINT64_MAX);
    d->trace().arm(session);
  }
  return d;
}

// What an armed trace session recorded: a filter meant to match nothing must show none.
void note_trace(report& rep, dataplane_assembly& d, const options& o) {
  if (!o.trace) return;
  std::vector<trace_record> records;
  d.trace().drain(records);
  const auto* a = reinterpret_cast<const uint8_t*>(&o.trace->vip);
  rep.notes.push_back(fmt::format("trace armed for VIP {}.{}.{}.{}:{}: {} records, {} lost", a[0],
                                  a[1], a[2], a[3], be16toh(o.trace->vip_port), records.size(),
                                  d.trace().lost()));
}

struct poll_worker {
  worker* w;
  // With --idle adaptive the worker rests after an empty poll as sluiced's loop does (inside the
  // timed bracket: what a busy worker pays for the idle check is measured); with poll the call
  // returns at once.
  unsigned operator()() const noexcept {
    const unsigned n = w->poll_once();
    w->rest_if_idle(nullptr);
    return n;
  }
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

// The lcores two workers poll on (measure_two): with the inline source the main lcore is one.
std::array<unsigned, 2> worker_lcores(const options& o) {
  if (o.source == source_mode::inline_refill) return {rte_get_main_lcore(), o.worker_lcore};
  return {o.worker_lcore, o.second_worker_lcore};
}

// One run of poll[i] on every worker i's lcore and source at once, summed over the workers.
template <typename Poll>
run_result run_together(rig& r, const options& o, std::vector<generator>& gen, const run_plan& plan,
                        std::array<Poll, 2>& poll, std::array<report_quiescent, 2>& quiesce) {
  if (r.workers() == 1) return measure(r.worker_lcore(), gen[0], r.source_ring(), plan, poll[0], quiesce[0]);
  const auto [a, b] = measure_two(worker_lcores(o), {&gen[0], &gen[1]},
                                  {r.source_ring(0), r.source_ring(1)}, plan, poll, quiesce);
  return combined(a, b);
}

std::array<poll_worker, 2> gateway_polls(dataplane_assembly& d) {
  return {poll_worker{&d.worker_at(0)}, poll_worker{d.workers() > 1 ? &d.worker_at(1) : nullptr}};
}

void note_drops(report& rep, const tally& a, const tally& b, const char* phase) {
  for (std::size_t i = 0; i < k_drop_reason_count; ++i)
    if (b.drops[i] != a.drops[i])
      rep.notes.push_back(std::string(phase) + ": " + std::to_string(b.drops[i] - a.drops[i]) +
                          " dropped as " + std::string(k_drop_reason_names[i]));
}

// Alternates ceiling and gateway runs over the same streams, `o.runs` of each; with two
// workers, two io forwarders (one per queue) are the ceiling.
void measure_pairs(report& rep, rig& r, dataplane_assembly& d, std::vector<generator>& gen,
                   const options& o) {
  std::vector<std::unique_ptr<rcu_reader>> rcu;
  std::vector<io_forwarder> io;
  for (unsigned id = 0; id < r.workers(); ++id) {
    rcu.push_back(std::make_unique<rcu_reader>(d.publisher().qsbr(), id));
    io.emplace_back(r.source_port(), r.sink_port(), uint16_t(id));
  }
  const run_plan plan{.until = run_until::deadline, .source = o.source, .seconds = o.seconds};
  std::array<report_quiescent, 2> nothing{};
  std::array<report_quiescent, 2> quiescent{{{rcu[0].get()}, {r.workers() > 1 ? rcu[1].get() : nullptr}}};
  std::array<poll_worker, 2> gateway = gateway_polls(d);
  std::array<poll_forwarder, 2> forward{{{&io[0]}, {r.workers() > 1 ? &io[1] : nullptr}}};
  std::vector<tally> each_before;
  for (unsigned id = 0; id < r.workers(); ++id) each_before.push_back(tally::of(d, id));
  const tally before = tally::of(d);
  for (unsigned i = 0; i < o.runs; ++i) {
    rep.ceiling.push_back(run_together(r, o, gen, plan, forward, nothing));
    rep.gateway.push_back(run_together(r, o, gen, plan, gateway, quiescent));
  }
  const tally after = tally::of(d);
  rep.gateway_rx = after.rx - before.rx;
  rep.gateway_tx = after.tx - before.tx;
  rep.flows_created = after.created - before.created;
  for (unsigned id = 0; id < d.workers(); ++id) rep.flows_live += d.worker_at(id).flows().size();
  note_drops(rep, before, after, "measured runs");
  // Polls over k_preempted_cycles are left out as preemption; many of them are a slow path.
  uint64_t slow = 0, polls = 0;
  for (const run_result& g : rep.gateway) slow += g.preempted_polls, polls += g.polls;
  if (slow * 10 > polls)
    rep.notes.push_back(fmt::format("{} of {} gateway polls took over {} cycles and were left out: "
                                    "more than preemption, a slow path in the worker", slow, polls,
                                    k_preempted_cycles));
  if (r.workers() == 1) return;
  rep.notes.push_back(fmt::format("{} workers: {} of {} packets handed to the other worker",
                                  r.workers(), after.handoff_out - before.handoff_out, rep.gateway_rx));
  // Proof that both workers worked: what each took from its own queue and from the other.
  for (unsigned id = 0; id < r.workers(); ++id) {
    const tally now = tally::of(d, id);
    const tally& was = each_before[id];
    rep.notes.push_back(fmt::format("worker {}: rx {} from its queue, handed over {}, taken over {}, "
                                    "tx {}, flows live {}",
                                    id, now.rx - was.rx, now.handoff_out - was.handoff_out,
                                    now.handoff_in - was.handoff_in, now.tx - was.tx,
                                    d.worker_at(id).flows().size()));
  }
}

void note_acl(report& rep, dataplane_assembly& d, const options& o) {
  if (o.acl_rules + o.acl_patterns == 0) return;
  rep.notes.push_back("acl: global set of " + std::to_string(o.acl_rules) + " address rules and " +
                      std::to_string(o.acl_patterns) + " payload patterns; " +
                      std::to_string(total(d, [](worker_stats& s) -> counter& { return s.worker.acl_scans; })) + " payload scans in all");
}

// Connections each backend slot was given (warm-up included): shows the scheduler at work.
void note_spread(report& rep, dataplane_assembly& d, const options& o) {
  std::string note = fmt::format("connections per backend ({}):", name_of(o.scheduler));
  for (unsigned b = 0; b < o.backends; ++b) note += fmt::format(" {}", total(d, [b](worker_stats& s) -> counter& { return s.backends[b].conns; }));
  rep.notes.push_back(std::move(note));
}

// Polls every worker in turn on this lcore until no source queue or hand-off ring holds a
// packet (after concurrent runs, one worker may have stopped with packets handed to it).
void settle(dataplane_assembly& d) {
  for (unsigned quiet_rounds = 0; quiet_rounds < 2;) {
    unsigned received = 0;
    for (unsigned w = 0; w < d.workers(); ++w) received += d.worker_at(w).poll_once();
    quiet_rounds = received == 0 && d.handoff_backlog() == 0 ? quiet_rounds + 1 : 0;
  }
}

// One worker's share of the established flows: the client addresses it owns (flow_owner()),
// as client numbers in increasing order, and how many flows they carry (the last client of
// all may be partly used, and is then the last of its owner's list).
struct share {
  std::vector<uint32_t> clients;
  uint64_t flows = 0;
};

std::vector<share> shares_by_owner(const options& o) {
  const uint64_t per_client = uint64_t(1) << o.port_bits;
  std::vector<share> shares(o.workers);
  for (uint64_t c = 0; c * per_client < o.flows; ++c) {
    share& s = shares[o.workers == 1 ? 0 : flow_owner(client_addr(c << o.port_bits, o.port_bits), o.workers)];
    s.clients.push_back(uint32_t(c));
    s.flows += std::min(per_client, o.flows - c * per_client);
  }
  for (unsigned w = 0; w < o.workers; ++w)
    if (shares[w].flows == 0)
      throw std::runtime_error(fmt::format(
          "--workers {}: worker {} owns none of the {} flows (flows are owned by client address, "
          "{} per client): pass a smaller --ports-per-client, e.g. 16", o.workers, w, o.flows, per_client));
  return shares;
}

// Worker w's stream of established flows: its own share, or (steering::any) all of them. With
// one worker, the plain index range (as before shares existed).
stream established_stream(const frame_template& f, flow_order order, const std::vector<share>& shares,
                          unsigned w, const options& o, steering steer) {
  const uint64_t seed = 0x9e3779b97f4a7c15ull + w;
  if (o.workers == 1 || steer == steering::any)
    return {.frame = f, .order = order, .flows = o.flows, .port_bits = o.port_bits, .seed = seed,
            .rx_flags = o.rx_flags};
  return {.frame = f, .order = order, .flows = shares[w].flows, .port_bits = o.port_bits,
          .chosen = &shares[w].clients, .seed = seed, .rx_flags = o.rx_flags};
}

// Exactly each worker's share of flows live and established (ipvsadm ActiveConn), nothing left
// in a hand-off ring; a note names what is off.
void check_warm_up(report& rep, const dataplane_assembly& d, const std::vector<share>& shares) {
  std::string split;
  for (unsigned w = 0; w < d.workers(); ++w) {
    uint64_t established = 0;
    for (unsigned b = 0; b < rep.opts.backends; ++b) established += d.stats(w).backends[b].active.get();
    const uint64_t live = d.worker_at(w).flows().size();
    if (live != shares[w].flows || established != shares[w].flows)
      rep.notes.push_back(fmt::format("warm-up left worker {} with {} flows ({} established), not {}",
                                      w, live, established, shares[w].flows));
    split += fmt::format("{}worker {} {}", w ? ", " : "", w, established);
  }
  if (d.handoff_backlog() != 0)
    rep.notes.push_back(fmt::format("warm-up left {} packets in hand-off rings", d.handoff_backlog()));
  if (d.workers() > 1) rep.notes.push_back("established flows after warm-up: " + split);
}

// New flows beyond dataplane.max_half_open evict the oldest half-open one: a cost of its own,
// named whenever it was paid (the default cap, a quarter of the table, is above what the
// SYN-only runs keep live).
void note_evictions(report& rep, const rig& r, const dataplane_assembly& d) {
  uint64_t evicted = 0;
  for (unsigned w = 0; w < d.workers(); ++w) evicted += d.stats(w).worker.half_open_evicted.get();
  if (evicted != 0)
    rep.notes.push_back(fmt::format("{} half-open flows evicted at max_half_open {}", evicted,
                                    r.max_half_open()));
}

rig_options rig_for(const options& o, const flow_timeouts& t) {
  const uint64_t cap = o.capacity ? o.capacity : o.flows;
  if (cap > UINT32_MAX / 2) throw std::runtime_error("flow capacity too large for one worker");
  std::vector<unsigned> lcores{o.worker_lcore};
  if (o.workers > 1) {
    const std::array<unsigned, 2> two = worker_lcores(o);
    lcores.assign(two.begin(), two.end());
  }
  return {.flow_capacity = uint32_t(cap), .timeouts = t, .max_half_open = o.max_half_open,
          .backends = o.backends,
          .worker_lcores = lcores, .mode = o.mode, .scheduler = o.scheduler, .acl_rules = o.acl_rules, .acl_patterns = o.acl_patterns,
          .idle = o.idle};
}

} // namespace

report run_established(const options& o) {
  report rep{.scenario = o.scenario, .opts = o};
  // The warm-up sends every flow's SYN before any ACK, so all of them are half-open at once:
  // unless told otherwise, the cap is the table (the default, a quarter of it, would evict).
  options warm_all = o;
  if (!warm_all.max_half_open) warm_all.max_half_open = uint32_t(o.capacity ? o.capacity : o.flows);
  rig r(rig_for(warm_all, flow_timeouts{}));
  prime_pool(r.pool());
  const frame_template syn = make_frame(r, k_tcp_syn, o.size);
  const frame_template ack = make_frame(r, k_tcp_ack, o.size);
  const std::vector<share> shares = shares_by_owner(o);

  const std::unique_ptr<dataplane_assembly> d = make_dataplane(r, o, rep);

  // Warm-up through the real workers: one SYN then one ACK per flow, each on its owner's own
  // queue (nothing handed over), all workers polling at once until their sources ran dry; then
  // the queues and hand-off rings are emptied, so every flow is tracked and established on its
  // owner before anything is timed.
  const tally t0 = tally::of(*d);
  std::array<poll_worker, 2> poll = gateway_polls(*d);
  std::array<report_quiescent, 2> nothing{};
  for (const frame_template* f : {&syn, &ack}) {
    std::vector<generator> warm;
    for (unsigned w = 0; w < r.workers(); ++w) {
      stream s = established_stream(*f, flow_order::sequential, shares, w, o, steering::owner);
      s.limit = s.flows;
      warm.emplace_back(r.source_ring(w), r.pool(), s);
    }
    run_together(r, o, warm, {.until = run_until::drained, .source = o.source}, poll, nothing);
    settle(*d);
  }
  note_drops(rep, t0, tally::of(*d), "warm-up");
  check_warm_up(rep, *d, shares);

  std::vector<generator> gen;
  for (unsigned w = 0; w < r.workers(); ++w)
    gen.emplace_back(r.source_ring(w), r.pool(), established_stream(ack, o.order, shares, w, o, o.steer));
  measure_pairs(rep, r, *d, gen, o);
  note_acl(rep, *d, o);
  note_trace(rep, *d, o);
  note_spread(rep, *d, o);
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

  const std::unique_ptr<dataplane_assembly> d = make_dataplane(r, o, rep);

  // Client tuples never repeat: 2^30 of them per worker's source outlast any run at these
  // rates. The generator changes the client address every 16,384 tuples and flows are owned by
  // client address, so with two workers the tuples are drawn at random (a repeat is rare at
  // 2^30): about half of each source's SYNs belong to the other worker and cross the handoff
  // ring, as with af_packet or RSS that does not hash by client address.
  // --steer owner: each source skips the tuples of the other worker's clients (RSS by client
  // address), so nothing is handed over.
  const flow_order order = r.workers() > 1 ? flow_order::random : flow_order::sequential;
  std::vector<generator> gen;
  for (unsigned id = 0; id < r.workers(); ++id)
    gen.emplace_back(r.source_ring(id), r.pool(),
                     stream{.frame = syn, .order = order, .flows = uint64_t(1) << 30,
                            .first = uint64_t(id) << 30, .port_bits = o.port_bits,
                            .seed = 0x9e3779b97f4a7c15ull + id,
                            .owner = r.workers() > 1 && o.steer == steering::owner ? int(id) : -1,
                            .workers = r.workers(), .rx_flags = o.rx_flags});
  // One untimed run brings the table to its steady occupancy.
  std::array<poll_worker, 2> poll = gateway_polls(*d);
  std::array<report_quiescent, 2> nothing{};
  run_together(r, o, gen, {.until = run_until::deadline, .source = o.source, .seconds = o.seconds}, poll, nothing);
  measure_pairs(rep, r, *d, gen, o);
  note_acl(rep, *d, o);
  note_trace(rep, *d, o);
  note_spread(rep, *d, o);
  note_evictions(rep, r, *d);
  return rep;
}

} // namespace sluice::bench
