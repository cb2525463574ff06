#pragma once
// A token bucket for the ICMP a worker originates (errors and echo replies), so that a flood of
// expiring or oversized packets, or of pings, cannot turn the gateway into an amplifier. Linux's
// defaults: icmp_msgs_per_sec 1000, icmp_msgs_burst 50. Each worker has its own bucket.

#include "dataplane/rate/token_bucket.hpp"

namespace sluice {

class icmp_rate_limiter : public token_bucket {
public:
  static constexpr uint32_t k_per_second = 1000;
  static constexpr uint32_t k_burst = 50;

  explicit icmp_rate_limiter(uint64_t tsc_hz) noexcept
      : token_bucket(tsc_hz, k_per_second, k_burst) {}
};

} // namespace sluice
