#pragma once
// A token bucket for the ICMP a worker originates (errors and echo replies), so that a flood of
// expiring or oversized packets, or of pings, cannot turn the gateway into an amplifier. Linux's
// defaults: icmp_msgs_per_sec 1000, icmp_msgs_burst 50. Each worker has its own bucket (nothing
// shared, no atomics) and reads the time from the TSC it already has: no syscall.

#include <algorithm>
#include <cstdint>

namespace sluice {

class icmp_rate_limiter {
public:
  static constexpr uint32_t k_per_second = 1000;
  static constexpr uint32_t k_burst = 50;

  explicit icmp_rate_limiter(uint64_t tsc_hz) noexcept
      : cycles_per_token_(std::max<uint64_t>(tsc_hz / k_per_second, 1)) {}

  // True, taking a token, when one more message may be sent at TSC `now`.
  bool allow(uint64_t now) noexcept {
    if (tokens_ == k_burst) last_ = now; // a full bucket earns nothing while it waits
    if (now > last_) {
      const uint64_t earned = (now - last_) / cycles_per_token_;
      if (earned != 0) {
        tokens_ = uint32_t(std::min<uint64_t>(k_burst, tokens_ + earned));
        last_ += earned * cycles_per_token_; // the part of a token not yet earned is kept
      }
    }
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

private:
  uint64_t cycles_per_token_;
  uint64_t last_ = 0;
  uint32_t tokens_ = k_burst;
};

} // namespace sluice
