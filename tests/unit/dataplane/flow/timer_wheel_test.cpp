// The per-worker timer wheel (dataplane/flow/timer_wheel.hpp) against an injected clock: an
// owner keeps each entry's real deadline (as a flow keeps last_seen + timeout) and releases an
// entry when advance() shows it at or past that deadline, or hands back the deadline to re-arm.

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "dataplane/flow/timer_wheel.hpp"

namespace sluice {
namespace {

constexpr uint64_t k_never = std::numeric_limits<uint64_t>::max();

// A small wheel: ticks of 16 cycles, 16 slots (horizon 256 cycles).
constexpr timer_geometry k_small{.tick_shift = 4, .slot_bits = 4};
constexpr uint64_t k_tick = 16;
constexpr uint64_t k_horizon = 256;

// The owner side: real deadlines, and when (and how often) advance() showed each entry.
struct owner {
  explicit owner(uint32_t capacity, timer_geometry g = k_small, uint64_t start = 0)
      : links(g.links_for(capacity)), wheel(links.data(), capacity, g, start),
        deadline(capacity, k_never), released_at(capacity, k_never), examined(capacity, 0) {}

  void arm(uint32_t e, uint64_t d) {
    deadline[e] = d;
    released_at[e] = k_never;
    wheel.arm(e, d);
  }
  // Runs one advance at `now`; returns the number of entries examined (decide calls).
  unsigned advance(uint64_t now, unsigned budget = 1u << 16) {
    unsigned calls = 0;
    wheel.advance(now, budget, [&](uint32_t e) -> std::optional<uint64_t> {
      ++calls;
      ++examined[e];
      EXPECT_FALSE(wheel.armed(e)) << "decide sees the entry disarmed";
      if (now < deadline[e]) return deadline[e];
      released_at[e] = now;
      order.push_back(e);
      return std::nullopt;
    });
    return calls;
  }
  // Advances one cycle at a time from `from` to `to` inclusive with an unlimited budget.
  void run(uint64_t from, uint64_t to) {
    for (uint64_t t = from; t <= to; ++t) advance(t);
  }

  std::vector<timer_link> links;
  timer_wheel wheel;
  std::vector<uint64_t> deadline;
  std::vector<uint64_t> released_at;
  std::vector<unsigned> examined;
  std::vector<uint32_t> order; // release order
};

TEST(TimerWheel, NothingIsReleasedBeforeItsDeadline) {
  owner o(500);
  std::mt19937_64 rng(1);
  for (uint32_t e = 0; e < 500; ++e) o.arm(e, rng() % (3 * k_horizon));
  o.run(0, 4 * k_horizon);
  for (uint32_t e = 0; e < 500; ++e) {
    ASSERT_NE(o.released_at[e], k_never) << e;
    EXPECT_GE(o.released_at[e], o.deadline[e]) << e;
  }
}

TEST(TimerWheel, EverythingIsReleasedWithinOneTickOfItsDeadlineWhenCaughtUp) {
  owner o(500);
  std::mt19937_64 rng(2);
  for (uint32_t e = 0; e < 500; ++e) o.arm(e, rng() % k_horizon);
  o.run(0, 2 * k_horizon);
  for (uint32_t e = 0; e < 500; ++e) {
    EXPECT_LE(o.released_at[e], o.deadline[e] + k_tick) << e;
    EXPECT_EQ(o.examined[e], 1u) << "an entry within the horizon is examined once: " << e;
  }
}

TEST(TimerWheel, RefreshedEntryIsRearmedAtItsRealDeadline) {
  owner o(4);
  o.arm(0, 100);
  o.deadline[0] = 300; // traffic moved the deadline; the wheel was not told
  o.run(0, 299);
  EXPECT_EQ(o.released_at[0], k_never);
  EXPECT_EQ(o.examined[0], 1u) << "seen once at the old deadline, re-armed";
  EXPECT_TRUE(o.wheel.armed(0));
  o.run(300, 300 + k_tick);
  EXPECT_GE(o.released_at[0], 300u);
  EXPECT_LE(o.released_at[0], 300u + k_tick);
  EXPECT_EQ(o.examined[0], 2u);
}

TEST(TimerWheel, ShortenedDeadlineTakesEffectAfterRearm) {
  owner o(2);
  o.arm(0, 200);
  o.deadline[0] = 40;
  o.wheel.rearm(0, 40);
  o.run(0, 40 + k_tick);
  EXPECT_GE(o.released_at[0], 40u);
  EXPECT_LE(o.released_at[0], 40u + k_tick);
}

// Three entries share a slot; removing one of them leaves the other two, in arming order.
class TimerWheelDisarm : public ::testing::TestWithParam<uint32_t> {};

TEST_P(TimerWheelDisarm, UnlinksOnlyThatEntryFromItsSlot) {
  owner o(3);
  for (uint32_t e = 0; e < 3; ++e) o.arm(e, 20 + e); // same tick
  const uint32_t removed = GetParam();
  o.wheel.disarm(removed);
  EXPECT_FALSE(o.wheel.armed(removed));
  o.wheel.disarm(removed); // a second disarm is harmless
  o.run(0, 48);
  EXPECT_EQ(o.examined[removed], 0u);
  std::vector<uint32_t> rest;
  for (uint32_t e = 0; e < 3; ++e)
    if (e != removed) rest.push_back(e);
  EXPECT_EQ(o.order, rest);
}
INSTANTIATE_TEST_SUITE_P(HeadMiddleTail, TimerWheelDisarm, ::testing::Values(0u, 1u, 2u));

TEST(TimerWheel, DisarmedEntryCanBeArmedAgain) {
  owner o(2);
  o.arm(0, 30);
  o.wheel.disarm(0);
  o.arm(0, 90);
  o.run(0, 200);
  EXPECT_GE(o.released_at[0], 90u);
  EXPECT_EQ(o.examined[0], 1u);
}

TEST(TimerWheel, BudgetBoundsEachCallAndCatchUpVisitsSlotsInOrder) {
  // The worker stalls for three horizons; afterwards each call does at most `budget` units of
  // work and the backlog drains in deadline-slot order without skipping a slot.
  constexpr uint32_t n = 1000;
  owner o(n);
  std::mt19937_64 rng(3);
  for (uint32_t e = 0; e < n; ++e) o.arm(e, 1 + rng() % (k_horizon - 1));
  const uint64_t now = 3 * k_horizon;
  unsigned calls = 0;
  while (o.order.size() < n) {
    ASSERT_LE(o.advance(now, 10), 10u);
    ASSERT_LT(++calls, 10000u) << "catch-up makes progress";
  }
  EXPECT_GE(calls, n / 10);
  while (o.wheel.backlog_ticks(now) != 0 && ++calls < 10000) o.advance(now, 10); // empty slots
  EXPECT_EQ(o.wheel.backlog_ticks(now), 0u);
  for (std::size_t i = 1; i < o.order.size(); ++i)
    ASSERT_LE(o.deadline[o.order[i - 1]] / k_tick, o.deadline[o.order[i]] / k_tick) << i;
}

TEST(TimerWheel, EmptySlotsPassedCountAgainstTheBudget) {
  // Even an empty wheel far behind does bounded work per call: `budget` slots at most.
  owner o(1);
  const uint64_t now = 10 * k_horizon;
  uint64_t backlog = o.wheel.backlog_ticks(now);
  ASSERT_EQ(backlog, 10 * k_horizon / k_tick);
  while (backlog != 0) {
    o.advance(now, 4);
    const uint64_t left = o.wheel.backlog_ticks(now);
    ASSERT_EQ(backlog - left, std::min<uint64_t>(backlog, 4));
    backlog = left;
  }
}

TEST(TimerWheel, EntryArmedAfterAStallIsNotReleasedEarlyDuringCatchUp) {
  owner o(2);
  o.arm(0, 5);
  const uint64_t now = 5 * k_horizon; // stalled: the wheel still stands at tick 0
  o.arm(1, now + 100);                // a new flow armed while behind
  for (int i = 0; i < 1000 && o.wheel.backlog_ticks(now) != 0; ++i) o.advance(now, 3);
  EXPECT_EQ(o.released_at[0], now);
  EXPECT_EQ(o.released_at[1], k_never);
  o.run(now, now + 100 + k_tick);
  EXPECT_GE(o.released_at[1], now + 100);
  EXPECT_LE(o.released_at[1], now + 100 + k_tick);
}

TEST(TimerWheel, ZeroTimeoutIsReleasedWithinOneTick) {
  owner o(1);
  const uint64_t start = 1000 * k_tick + 5;
  o.advance(start);
  o.arm(0, start); // deadline = now
  o.advance(start);
  EXPECT_EQ(o.released_at[0], k_never) << "the current tick is not due yet";
  o.run(start, start + k_tick);
  EXPECT_NE(o.released_at[0], k_never);
  EXPECT_LE(o.released_at[0], start + k_tick);
}

TEST(TimerWheel, PastDeadlineIsReleasedAtTheNextTick) {
  owner o(1);
  o.advance(500);
  o.arm(0, 100);
  o.run(500, 500 + k_tick);
  EXPECT_LE(o.released_at[0], 500 + k_tick);
}

TEST(TimerWheel, DeadlineBeyondTheHorizonIsRearmedUntilDue) {
  owner o(1);
  const uint64_t deadline = 10 * k_horizon + 7;
  o.arm(0, deadline);
  o.run(0, deadline + k_tick);
  EXPECT_GE(o.released_at[0], deadline);
  EXPECT_LE(o.released_at[0], deadline + k_tick);
  // Parked in the farthest slot and re-armed once per horizon, not once per tick.
  EXPECT_LE(o.examined[0], 12u);
  EXPECT_GE(o.examined[0], 2u);
}

TEST(TimerWheel, GeometryCoversTheDefaultTimeoutsWithSubSecondTicks) {
  for (uint64_t hz : {1'000'000'000ull, 2'100'000'000ull, 2'147'483'648ull, 3'700'000'000ull}) {
    const timer_geometry g = timer_geometry::covering(hz, 900);
    const double tick_s = double(g.tick_cycles()) / double(hz);
    EXPECT_LE(tick_s, 1.0 / 16) << hz;
    EXPECT_GT(tick_s, 1.0 / 32) << hz;
    const double horizon_s = tick_s * g.slots();
    EXPECT_GE(horizon_s, 900.0) << hz;
    EXPECT_LT(horizon_s, 1800.0) << "the fewest slots that cover it: " << hz;
  }
  EXPECT_EQ(timer_geometry::covering(2'100'000'000ull, 86400 * 365).slot_bits,
            timer_geometry::k_max_slot_bits);
}

// Random arms, refreshes, shortenings, removals and advances (with random budgets and stalls)
// against a reference that keeps every live entry's deadline and when it was last armed.
TEST(TimerWheel, MatchesAReferenceModelUnderRandomOperations) {
  constexpr uint32_t n = 300;
  owner o(n);
  std::vector<bool> live(n, false);
  std::vector<uint64_t> armed_at(n, 0);
  std::mt19937_64 rng(4);
  uint64_t now = 0;
  auto pick = [&] { return uint32_t(rng() % n); };
  auto timeout = [&]() -> uint64_t {
    switch (rng() % 4) {
    case 0: return 0;
    case 1: return rng() % k_tick;
    case 2: return rng() % k_horizon;
    default: return rng() % (5 * k_horizon);
    }
  };
  for (int step = 0; step < 200000; ++step) {
    const uint32_t e = pick();
    switch (rng() % 8) {
    case 0:
    case 1: // a new flow
      if (!live[e]) {
        o.arm(e, now + timeout());
        live[e] = true;
        armed_at[e] = now;
      }
      break;
    case 2: // traffic: the owner's deadline moves later, the wheel is not told
      if (live[e]) o.deadline[e] = std::max(o.deadline[e], now + timeout());
      break;
    case 3: // a state change to a shorter timeout: re-armed at once
      if (live[e]) {
        o.deadline[e] = std::min(o.deadline[e], now + timeout());
        o.wheel.rearm(e, o.deadline[e]);
        armed_at[e] = now;
      }
      break;
    case 4: // explicit removal (flush, tuple reuse)
      if (live[e]) {
        o.wheel.disarm(e);
        live[e] = false;
      }
      break;
    default: { // time passes: usually a little, sometimes a stall beyond the horizon
      now += rng() % 50 == 0 ? rng() % (3 * k_horizon) : rng() % 8;
      const unsigned budget = 1 + unsigned(rng() % 40);
      const std::size_t released_before = o.order.size();
      ASSERT_LE(o.advance(now, budget), budget);
      for (std::size_t i = released_before; i < o.order.size(); ++i) {
        const uint32_t r = o.order[i];
        ASSERT_TRUE(live[r]) << "only live entries are shown";
        ASSERT_GE(now, o.deadline[r]) << "never before the deadline";
        live[r] = false;
      }
      if (o.wheel.backlog_ticks(now) == 0) {
        // Caught up: every slot before now's tick was processed, so no live entry is due a
        // whole tick ago (counting from its deadline, or from when it was armed if later).
        for (uint32_t x = 0; x < n; ++x) {
          if (live[x]) {
            ASSERT_GE(std::max(o.deadline[x], armed_at[x]) / k_tick, now / k_tick) << x;
          }
        }
      }
      break;
    }
    }
    for (uint32_t x = 0; x < n && step % 1000 == 0; ++x) ASSERT_EQ(o.wheel.armed(x), bool(live[x]));
  }
}

} // namespace
} // namespace sluice
