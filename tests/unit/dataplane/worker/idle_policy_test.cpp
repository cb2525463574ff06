// The adaptive poller's back-off (dataplane/worker/idle_policy.hpp) on a clock of 1 tick per µs.

#include "dataplane/worker/idle_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice {
namespace {

constexpr idle_timing k_timing{.spin = 50, .min_sleep = 16, .max_sleep = 200};

// The sleeps the policy asks for over `polls` empty polls, each taking `poll_ticks`, from `start`;
// a sleep advances the clock by its length.
std::vector<uint64_t> sleeps_while_idle(idle_policy& p, uint64_t& now, unsigned polls,
                                        uint64_t poll_ticks = 1) {
  std::vector<uint64_t> out;
  for (unsigned i = 0; i < polls; ++i) {
    const idle_step s = p.after_poll(false, now);
    now += poll_ticks;
    if (s.action == idle_action::sleep) {
      out.push_back(s.ticks);
      now += s.ticks;
    }
  }
  return out;
}

TEST(IdlePolicy, BusyWorkerNeverSleeps) {
  idle_policy p(k_timing);
  for (uint64_t now = 1000; now < 100'000; now += 3)
    ASSERT_EQ(p.after_poll(true, now).action, idle_action::poll) << now;
}

TEST(IdlePolicy, PausesUntilSpinTimeHasPassedWithoutWork) {
  idle_policy p(k_timing);
  EXPECT_EQ(p.after_poll(true, 1000).action, idle_action::poll);
  EXPECT_EQ(p.after_poll(false, 1001).action, idle_action::pause);
  EXPECT_EQ(p.after_poll(false, 1049).action, idle_action::pause);
  const idle_step s = p.after_poll(false, 1050);
  EXPECT_EQ(s.action, idle_action::sleep);
  EXPECT_EQ(s.ticks, 16u);
}

TEST(IdlePolicy, SleepsDoubleUpToTheBound) {
  idle_policy p(k_timing);
  uint64_t now = 1000;
  p.after_poll(true, now);
  const auto sleeps = sleeps_while_idle(p, now, 60);
  ASSERT_GE(sleeps.size(), 8u);
  EXPECT_EQ(std::vector<uint64_t>(sleeps.begin(), sleeps.begin() + 6),
            (std::vector<uint64_t>{16, 32, 64, 128, 200, 200}));
  for (uint64_t s : sleeps) EXPECT_LE(s, k_timing.max_sleep);
}

TEST(IdlePolicy, FirstWorkReturnsToFullSpeedAndRestartsTheLadder) {
  idle_policy p(k_timing);
  uint64_t now = 1000;
  p.after_poll(true, now);
  sleeps_while_idle(p, now, 60); // deep asleep: sleeping the bound
  EXPECT_EQ(p.after_poll(true, now).action, idle_action::poll);
  EXPECT_EQ(p.after_poll(false, now + 1).action, idle_action::pause);
  const auto sleeps = sleeps_while_idle(p, now, 60);
  ASSERT_FALSE(sleeps.empty());
  EXPECT_EQ(sleeps.front(), k_timing.min_sleep);
}

TEST(IdlePolicy, TrafficWithGapsShorterThanSpinNeverSleeps) {
  idle_policy p(k_timing);
  for (uint64_t now = 1000; now < 50'000; now += 40) {
    ASSERT_EQ(p.after_poll(true, now).action, idle_action::poll);
    for (uint64_t t = now + 1; t < now + 40; t += 5)
      ASSERT_EQ(p.after_poll(false, t).action, idle_action::pause) << t;
  }
}

TEST(IdlePolicy, MicrosecondsBecomeTicksAndTheFirstSleepStaysWithinTheBound) {
  const idle_timing t = idle_timing::from_us(2'000'000'000, 20, 500); // a 2 GHz TSC
  EXPECT_EQ(t.spin, 2000u * 20);
  EXPECT_EQ(t.min_sleep, 2000u * idle_timing::k_min_sleep_us);
  EXPECT_EQ(t.max_sleep, 2000u * 500);
  const idle_timing tight = idle_timing::from_us(2'000'000'000, 20, 10);
  EXPECT_EQ(tight.min_sleep, tight.max_sleep);
}

TEST(IdlePolicy, ZeroSpinSleepsAfterTheFirstEmptyPoll) {
  idle_policy p(idle_timing{.spin = 0, .min_sleep = 16, .max_sleep = 200});
  EXPECT_EQ(p.after_poll(true, 1000).action, idle_action::poll);
  EXPECT_EQ(p.after_poll(false, 1001).action, idle_action::sleep);
}

} // namespace
} // namespace sluice
