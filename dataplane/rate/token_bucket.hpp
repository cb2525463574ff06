#pragma once
// A token bucket on the TSC: `per_second` tokens a second, at most `burst` saved up. Used for
// what a worker must not let a flood turn into unbounded work (ICMP it originates, traffic to
// and from the kernel's exception path). Each worker owns its buckets: no atomics, no syscall.

#include <algorithm>
#include <cstdint>

namespace sluice {

class token_bucket {
public:
  token_bucket(uint64_t tsc_hz, uint32_t per_second, uint32_t burst) noexcept
      : cycles_per_token_(std::max<uint64_t>(tsc_hz / std::max<uint32_t>(per_second, 1), 1)),
        burst_(std::max<uint32_t>(burst, 1)), tokens_(burst_) {}

  // True, taking a token, when one more packet may pass at TSC `now`.
  bool allow(uint64_t now) noexcept {
    if (tokens_ == burst_) last_ = now; // a full bucket earns nothing while it waits
    if (now > last_) {
      const uint64_t earned = (now - last_) / cycles_per_token_;
      if (earned != 0) {
        tokens_ = uint32_t(std::min<uint64_t>(burst_, tokens_ + earned));
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
  uint32_t burst_;
  uint32_t tokens_;
};

} // namespace sluice
