// The wait after a failed request to the API server (k8s/retry.hpp): exponential steps with
// equal jitter up to the cap, and the server's Retry-After as a floor, capped too.
#include <gtest/gtest.h>

#include <set>

#include "control/k8s/retry.hpp"

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;

TEST(K8sRetry, WaitDoublesPerFailureUpToTheCapJitteredInTheUpperHalfOfTheStep) {
  for (unsigned failures = 1; failures <= 12; ++failures) {
    const int64_t step = std::min<int64_t>(100 << (failures - 1), 5'000);
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) {
      const auto d = retry_delay(failures, 100ms, 5'000ms).count();
      ASSERT_GE(d, step / 2) << "failure " << failures;
      ASSERT_LE(d, step) << "failure " << failures;
      seen.insert(d);
    }
    EXPECT_GT(seen.size(), 10u) << "jittered, failure " << failures;
  }
}

TEST(K8sRetry, RetryAfterIsAFloorCappedAtTheLongestWait) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_GE(retry_delay(1, 100ms, 30'000ms, "3"), 3'000ms);
    EXPECT_LE(retry_delay(1, 100ms, 30'000ms, "3"), 3'000ms) << "the floor, not added to the step";
    EXPECT_EQ(retry_delay(1, 100ms, 30'000ms, "86400"), 30'000ms) << "a day is not waited";
    EXPECT_LE(retry_delay(1, 100ms, 30'000ms, "0"), 100ms);
    EXPECT_LE(retry_delay(1, 100ms, 30'000ms, "soon"), 100ms) << "not understood: ignored";
  }
}

TEST(K8sRetry, RetryAfterIsReadAsSecondsOrAsAnHttpDate) {
  const std::time_t now = 1'445'412'480; // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("120", now), 120'000ms);
  EXPECT_EQ(parse_retry_after(" 7 ", now), 7'000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30'000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0ms) << "already past";
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("later", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), std::chrono::milliseconds::max());
  EXPECT_EQ(parse_retry_after("000000000000000000002Oct350000009", now),
            std::chrono::milliseconds::max())
      << "a date in the year 350000009 saturates rather than overflows";
}

TEST(K8sRetry, BackoffStartsOverAfterAReset) {
  retry_backoff b(100ms, 10'000ms);
  for (int i = 0; i < 5; ++i) b.next();
  EXPECT_EQ(b.failures(), 5u);
  EXPECT_GE(b.next(), 800ms);
  b.reset();
  EXPECT_EQ(b.failures(), 0u);
  EXPECT_LE(b.next(), 100ms);
}

} // namespace
} // namespace sluice::k8s
