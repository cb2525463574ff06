#include "perf/bench/measure.hpp"

#include <algorithm>

namespace sluice::bench {

run_result combined(const run_result& a, const run_result& b) {
  run_result r{.packets = a.packets + b.packets,
               .busy_cycles = a.busy_cycles + b.busy_cycles,
               .busy_polls = a.busy_polls + b.busy_polls,
               .polls = a.polls + b.polls,
               .preempted_polls = a.preempted_polls + b.preempted_polls,
               .elapsed_cycles = 0};
  // packets / elapsed = a.packets / a.elapsed + b.packets / b.elapsed
  const double rate = (a.elapsed_cycles ? double(a.packets) / double(a.elapsed_cycles) : 0) +
                      (b.elapsed_cycles ? double(b.packets) / double(b.elapsed_cycles) : 0);
  r.elapsed_cycles = rate > 0 ? uint64_t(double(r.packets) / rate) : 0;
  return r;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

} // namespace sluice::bench
