#pragma once
// How much of its time a worker has spent asleep (dataplane.idle: adaptive), for the stats view
// and the metrics alike.

#include <time.h>

#include <cstdint>

#include "dataplane/stats/counters.hpp"

namespace sluice {

inline uint64_t monotonic_ns() noexcept {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return uint64_t(t.tv_sec) * 1'000'000'000 + uint64_t(t.tv_nsec);
}

// Nanoseconds since the worker started polling (0 before it has).
inline uint64_t running_ns(const worker_counters& c, uint64_t now_ns) noexcept {
  const uint64_t since = c.running_since_ns.load(std::memory_order_relaxed);
  return since != 0 && now_ns > since ? now_ns - since : 0;
}

// The share of that time asleep (0..1).
inline double asleep_ratio(const worker_counters& c, uint64_t now_ns) noexcept {
  const uint64_t running = running_ns(c, now_ns);
  if (running == 0) return 0.0;
  const double r = double(c.asleep_ns.get()) / double(running);
  return r < 1.0 ? r : 1.0;
}

} // namespace sluice
