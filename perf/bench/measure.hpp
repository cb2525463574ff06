#pragma once
// One measured run of a poll function (the worker's poll_once, or the io forwarder) on the
// worker lcore. rte_rdtsc() brackets every poll; only polls that received packets count.
//
// Two ways to feed the source ring:
//  - inline (default): the worker lcore tops the ring up between polls, outside the timed
//    bracket, so every poll gets a full burst; Mpps is packets over the time spent inside
//    the polls. Immune to the main lcore being descheduled on a shared machine.
//  - lcore: the generator runs on the main lcore while the worker polls; Mpps is packets
//    over wall time, and is bounded by the generator (and by cross-core cache traffic).
// Polls longer than k_preempted_cycles are counted apart and left out: on this shared VM they
// are the hypervisor or another process taking the core, not the code under test.

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "perf/bench/traffic.hpp"

namespace sluice::bench {

inline constexpr uint64_t k_preempted_cycles = 200'000; // ~100 us at 2 GHz, ~ 3 us per packet

enum class source_mode { inline_refill, lcore };

struct run_result {
  uint64_t packets = 0;
  uint64_t busy_cycles = 0; // inside polls that received packets
  uint64_t busy_polls = 0;
  uint64_t polls = 0;
  uint64_t preempted_polls = 0;
  uint64_t elapsed_cycles = 0; // wall time (lcore) or time inside polls (inline)

  double mpps() const noexcept {
    return elapsed_cycles ? double(packets) * double(rte_get_tsc_hz()) / double(elapsed_cycles) / 1e6 : 0;
  }
  double cycles_per_packet() const noexcept { return packets ? double(busy_cycles) / double(packets) : 0; }
  double mean_burst() const noexcept { return busy_polls ? double(packets) / double(busy_polls) : 0; }
};

enum class run_until {
  deadline, // `seconds` of wall time
  drained,  // the generator hit its limit, the ring is empty and a poll received nothing
};

struct run_plan {
  run_until until;
  source_mode source = source_mode::inline_refill;
  double seconds = 0;
};

namespace detail {

template <typename Poll, typename Quiesce>
struct job {
  Poll& poll;
  Quiesce& quiesce;
  generator& gen;
  rte_ring* ring;
  run_plan plan;
  std::atomic<bool> generator_done{false};
  std::atomic<bool> finished{false};
  run_result result;

  static int main(void* arg) {
    auto* j = static_cast<job*>(arg);
    j->run();
    j->finished.store(true, std::memory_order_release);
    return 0;
  }

  bool source_done() noexcept {
    return plan.source == source_mode::inline_refill ? gen.exhausted()
                                                     : generator_done.load(std::memory_order_acquire);
  }

  void run() noexcept {
    const bool refill_here = plan.source == source_mode::inline_refill;
    // Start with a full ring, so the first polls are not starved by the generator's start.
    if (refill_here) gen.refill();
    while (rte_ring_count(ring) < rte_ring_get_capacity(ring) / 2 && !source_done()) rte_pause();
    const uint64_t start = rte_rdtsc();
    const uint64_t deadline = start + uint64_t(plan.seconds * double(rte_get_tsc_hz()));
    uint64_t t1 = start, in_polls = 0;
    for (;;) {
      if (refill_here && rte_ring_count(ring) < 32) gen.refill();
      const uint64_t t0 = rte_rdtsc();
      const unsigned n = poll();
      t1 = rte_rdtsc();
      ++result.polls;
      if (t1 - t0 > k_preempted_cycles) {
        ++result.preempted_polls;
      } else {
        in_polls += t1 - t0;
        if (n) {
          result.busy_cycles += t1 - t0;
          result.packets += n;
          ++result.busy_polls;
        }
      }
      quiesce();
      if (plan.until == run_until::deadline) {
        if (t1 >= deadline) break;
      } else if (n == 0 && source_done() && rte_ring_empty(ring)) {
        break;
      }
    }
    result.elapsed_cycles = refill_here ? in_polls : t1 - start;
  }
};

} // namespace detail

// Runs `poll` (returns packets received) on `lcore` until the run ends, feeding the ring as
// plan.source says. `quiesce` runs after each poll outside the timed bracket (the worker's
// RCU report). Leaves the ring empty.
template <typename Poll, typename Quiesce>
run_result measure(unsigned lcore, generator& gen, rte_ring* ring, const run_plan& plan, Poll&& poll,
                   Quiesce&& quiesce) {
  detail::job<std::remove_reference_t<Poll>, std::remove_reference_t<Quiesce>> j{
      .poll = poll, .quiesce = quiesce, .gen = gen, .ring = ring, .plan = plan,
      .generator_done = {}, .finished = {}, .result = {}};
  rte_eal_remote_launch(&decltype(j)::main, &j, lcore);
  if (plan.source == source_mode::lcore) {
    gen.run(j.finished);
    j.generator_done.store(true, std::memory_order_release);
  }
  rte_eal_wait_lcore(lcore);
  drain(ring);
  return j.result;
}

// Two workers' runs at once: `poll[k]` on `lcores[k]`. Both must poll together: a worker hands
// packets to the other through a bounded ring. With the inline source, each worker tops its own
// ring up and lcores[0] must be the calling (main) lcore, which polls; with the lcore source,
// both poll on other lcores and the calling lcore feeds both rings (three lcores in all).
// Leaves both rings empty.
template <typename Poll, typename Quiesce>
std::array<run_result, 2> measure_two(std::array<unsigned, 2> lcores, std::array<generator*, 2> gen,
                                      std::array<rte_ring*, 2> ring, const run_plan& plan,
                                      std::array<Poll, 2>& poll, std::array<Quiesce, 2>& quiesce) {
  using job = detail::job<Poll, Quiesce>;
  job first{.poll = poll[0], .quiesce = quiesce[0], .gen = *gen[0], .ring = ring[0], .plan = plan,
            .generator_done = {}, .finished = {}, .result = {}};
  job second{.poll = poll[1], .quiesce = quiesce[1], .gen = *gen[1], .ring = ring[1], .plan = plan,
             .generator_done = {}, .finished = {}, .result = {}};
  const std::array<job*, 2> jobs{&first, &second};
  const bool inline_source = plan.source == source_mode::inline_refill;
  if (!inline_source) rte_eal_remote_launch(&job::main, &first, lcores[0]);
  rte_eal_remote_launch(&job::main, &second, lcores[1]);
  if (inline_source) {
    first.run();
  } else {
    // Feeds each ring until its worker finished or its stream ran out.
    for (bool feeding = true; feeding;) {
      feeding = false;
      unsigned made = 0;
      for (unsigned k = 0; k < 2; ++k) {
        if (jobs[k]->generator_done.load(std::memory_order_relaxed)) continue;
        if (jobs[k]->finished.load(std::memory_order_acquire) || gen[k]->exhausted()) {
          jobs[k]->generator_done.store(true, std::memory_order_release);
          continue;
        }
        feeding = true;
        made += gen[k]->refill();
      }
      if (made == 0) rte_pause();
    }
    rte_eal_wait_lcore(lcores[0]);
  }
  rte_eal_wait_lcore(lcores[1]);
  drain(ring[0]);
  drain(ring[1]);
  return {first.result, second.result};
}

// Two workers running in parallel, as one: packets and cycles add up, and so do the rates
// (elapsed_cycles is set so that mpps() is the sum of both).
run_result combined(const run_result& a, const run_result& b);

double median(std::vector<double> v);

} // namespace sluice::bench
