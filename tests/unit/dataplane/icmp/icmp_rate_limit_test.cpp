// The per-worker ICMP token bucket: a burst of 50, then one message per millisecond of TSC time.

#include <gtest/gtest.h>

#include "dataplane/icmp/rate_limit.hpp"

namespace sluice {
namespace {

constexpr uint64_t k_hz = 1'000'000; // 1000 cycles per token

TEST(IcmpRateLimit, ABurstPassesThenTheBucketIsEmpty) {
  icmp_rate_limiter r(k_hz);
  for (uint32_t i = 0; i < icmp_rate_limiter::k_burst; ++i) EXPECT_TRUE(r.allow(5)) << i;
  EXPECT_FALSE(r.allow(5));
}

TEST(IcmpRateLimit, TokensComeBackAtTheConfiguredRateAndNoFaster) {
  icmp_rate_limiter r(k_hz);
  uint64_t now = 10;
  while (r.allow(now)) {}
  now += 999;
  EXPECT_FALSE(r.allow(now)) << "less than one token's worth of time";
  now += 1;
  EXPECT_TRUE(r.allow(now));
  EXPECT_FALSE(r.allow(now));
  // One simulated second: 1000 tokens earned, but the bucket holds only the burst.
  now += k_hz;
  unsigned sent = 0;
  while (r.allow(now)) ++sent;
  EXPECT_EQ(sent, icmp_rate_limiter::k_burst);
}

TEST(IcmpRateLimit, SteadyTrafficGetsExactlyTheRate) {
  icmp_rate_limiter r(k_hz);
  unsigned sent = 0;
  // 10 simulated seconds, one attempt every 100 cycles (10x the rate).
  for (uint64_t now = 1; now <= 10 * k_hz; now += 100) sent += r.allow(now);
  EXPECT_EQ(sent, icmp_rate_limiter::k_burst + 10 * icmp_rate_limiter::k_per_second - 1);
}

} // namespace
} // namespace sluice
