#pragma once
// When an idle worker gives its core back (dataplane.idle: adaptive). Pure logic on a clock the
// caller passes (TSC ticks), so that it is tested without EAL or real time.
//
// After each poll the worker tells the policy whether the poll did any work. Work resets it: the
// worker polls at full speed again and a busy worker never waits. Without work, for `spin` ticks
// the worker keeps polling with a pause between polls (traffic that pauses briefly finds it
// awake); after that it sleeps, first `min_sleep` and each further empty wake-up twice as long,
// up to `max_sleep`: the bound within which a sleeping worker sees a packet on a port without
// wake-ups, a hand-off from another worker, a control request, and runs its timers.

#include <algorithm>
#include <cstdint>

namespace sluice {

struct idle_timing {
  uint64_t spin;      // ticks of empty polls before the first sleep
  uint64_t min_sleep; // ticks; the first sleep
  uint64_t max_sleep; // ticks; the bound of every sleep (>= min_sleep)

  // For a clock of `hz` ticks per second: `spin_us` of empty polls, then sleeps from
  // k_min_sleep_us up to `max_sleep_us`.
  static idle_timing from_us(uint64_t hz, uint32_t spin_us, uint32_t max_sleep_us) noexcept {
    const uint64_t per_us = std::max<uint64_t>(hz / 1'000'000, 1);
    const uint64_t max = per_us * max_sleep_us;
    return {.spin = per_us * spin_us, .min_sleep = std::min(per_us * k_min_sleep_us, max),
            .max_sleep = max};
  }
  static constexpr uint64_t k_min_sleep_us = 16;
};

enum class idle_action : uint8_t {
  poll,  // work was done: poll again at once
  pause, // idle for less than `spin`: a CPU pause, then poll again
  sleep, // idle for longer: sleep for idle_step::ticks (or until a wake-up)
};

struct idle_step {
  idle_action action;
  uint64_t ticks = 0; // sleep: how long
};

class idle_policy {
public:
  explicit idle_policy(const idle_timing& t) noexcept : t_(t) {}

  // After each poll: `worked` is whether it received, handed on or served anything; `now` the
  // clock at the poll. A worked poll costs one predictable branch and a store.
  idle_step after_poll(bool worked, uint64_t now) noexcept {
    if (worked) {
      last_work_ = now;
      next_sleep_ = 0;
      return {idle_action::poll};
    }
    if (now - last_work_ < t_.spin) return {idle_action::pause};
    next_sleep_ = next_sleep_ == 0 ? t_.min_sleep : std::min(next_sleep_ * 2, t_.max_sleep);
    return {idle_action::sleep, next_sleep_};
  }

private:
  idle_timing t_;
  uint64_t last_work_ = 0;
  uint64_t next_sleep_ = 0; // 0: not sleeping yet since the last work
};

} // namespace sluice
