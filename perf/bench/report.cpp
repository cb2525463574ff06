#include "perf/bench/report.hpp"

#include <fmt/core.h>

#include "control/config/model.hpp"

namespace sluice::bench {
namespace {

template <typename F>
double median_of(const std::vector<run_result>& runs, F f) {
  std::vector<double> v;
  for (const run_result& r : runs) v.push_back(f(r));
  return median(v);
}

double ratio(double a, double b) { return b > 0 ? a / b : 0; }

} // namespace

void print_report(const report& r) {
  const options& o = r.opts;
  const uint64_t capacity = o.capacity ? o.capacity : o.flows;
  const bool inline_source = o.source == source_mode::inline_refill;
  fmt::print("== {} scheduler={} backends={} size={} flows={} flows_per_worker={} ports_per_client={} "
             "workers={}{}{}{} runs={} x {}s, worker lcore {}, source {} (Mpps over {})\n",
             r.scenario, name_of(o.scheduler), o.backends, o.size, o.flows, capacity, 1u << o.port_bits,
             o.workers, o.workers > 1 ? (o.steer == steering::owner ? " steer=owner" : " steer=any") : "",
             o.rx_flags ? " rx_checksums=good" : "",
             o.idle == idle_mode::adaptive ? " idle=adaptive" : "", o.runs, o.seconds, o.worker_lcore,
             inline_source ? "inline" : "lcore", inline_source ? "time inside polls" : "wall time");
  for (std::size_t i = 0; i < r.gateway.size(); ++i) {
    const run_result& g = r.gateway[i];
    const run_result& c = r.ceiling[i];
    fmt::print("run {}: gateway {:7.3f} Mpps {:7.1f} cyc/pkt burst {:4.1f} busy {:5.1f}% | "
               "ceiling {:7.3f} Mpps {:6.1f} cyc/pkt burst {:4.1f} busy {:5.1f}% | ratio {:.3f} | preempted polls {}/{}\n",
               i + 1, g.mpps(), g.cycles_per_packet(), g.mean_burst(),
               100.0 * double(g.busy_polls) / double(g.polls ? g.polls : 1), c.mpps(),
               c.cycles_per_packet(), c.mean_burst(),
               100.0 * double(c.busy_polls) / double(c.polls ? c.polls : 1), ratio(g.mpps(), c.mpps()),
               g.preempted_polls, c.preempted_polls);
  }
  const double g_mpps = median_of(r.gateway, [](const run_result& x) { return x.mpps(); });
  const double c_mpps = median_of(r.ceiling, [](const run_result& x) { return x.mpps(); });
  const double g_cpp = median_of(r.gateway, [](const run_result& x) { return x.cycles_per_packet(); });
  const double c_cpp = median_of(r.ceiling, [](const run_result& x) { return x.cycles_per_packet(); });
  const double g_burst = median_of(r.gateway, [](const run_result& x) { return x.mean_burst(); });
  fmt::print("median: gateway {:.3f} Mpps, ceiling {:.3f} Mpps, ratio {:.3f}; cycles/packet gateway "
             "{:.1f}, ceiling {:.1f} (ratio {:.3f}); TSC {:.3f} GHz\n",
             g_mpps, c_mpps, ratio(g_mpps, c_mpps), g_cpp, c_cpp, ratio(c_cpp, g_cpp),
             double(rte_get_tsc_hz()) / 1e9);
  fmt::print("worker over measured runs: rx {} tx {} ({:.4f} forwarded), flows created {}, live {}\n",
             r.gateway_rx, r.gateway_tx, ratio(double(r.gateway_tx), double(r.gateway_rx)),
             r.flows_created, r.flows_live);
  fmt::print("memory: flow table of {} flows: {:.1f} heap bytes/flow beyond a fixed {:.1f} MiB per worker "
             "(priced by the same dataplane with {}-flow tables), {:.1f} hugepage bytes/flow in all\n",
             capacity, r.memory.heap_bytes_per_flow, double(r.memory.fixed_heap_bytes) / o.workers / (1 << 20),
             k_probe_flows, r.memory.hugepage_bytes_per_flow);
  for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
  fmt::print("RESULT scenario={} workers={} scheduler={} backends={} size={} flows={} capacity={} gw_mpps={:.3f} ceil_mpps={:.3f} "
             "ratio={:.3f} gw_cpp={:.1f} ceil_cpp={:.1f} gw_burst={:.1f} heap_bpf={:.1f} "
             "huge_bpf={:.1f} fwd={:.4f} source={} rx_cksum={} idle={} notes={}\n",
             r.scenario, o.workers, name_of(o.scheduler), o.backends, o.size, o.flows, capacity, g_mpps, c_mpps, ratio(g_mpps, c_mpps), g_cpp,
             c_cpp, g_burst, r.memory.heap_bytes_per_flow, r.memory.hugepage_bytes_per_flow,
             ratio(double(r.gateway_tx), double(r.gateway_rx)), inline_source ? "inline" : "lcore",
             o.rx_flags ? "good" : "none", o.idle == idle_mode::adaptive ? "adaptive" : "poll",
             r.notes.size());
}

} // namespace sluice::bench
