// Expiry of the worker's tables through their timer wheels (dataplane/flow/timer_wheel.hpp),
// driven by an injected clock: the tables take `now` from the caller, as the worker passes its
// TSC reading. EAL once (rte_malloc, rte_hash), no hugepages.

#include <gtest/gtest.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include <optional>

#include "dataplane/flow/affinity.hpp"
#include "dataplane/flow/timer_wheel.hpp"

namespace sluice {
namespace {

class Expiry : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    static bool started = false;
    if (started) return;
    // --no-huge implies legacy memory, which --in-memory refuses; --no-shconf leaves no files.
    const char* argv[] = {"flow_expiry_test", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
                          "--no-telemetry", "--file-prefix=flow_expiry_test", "--log-level=error"};
    ASSERT_GE(rte_eal_init(int(std::size(argv)), const_cast<char**>(argv)), 0);
    started = true;
  }

  static uint64_t hz() { return rte_get_tsc_hz(); }
  static uint64_t tick() { return timer_geometry::covering(hz(), k_wheel_horizon_seconds).tick_cycles(); }
  static uint64_t ms(uint64_t n) { return hz() / 1000 * n; }

  // Calls `expire(now)` every `step` cycles from `from` until `done()` or `until`; returns the
  // time at which done() first held.
  template <typename Expire, typename Done>
  static std::optional<uint64_t> run(uint64_t from, uint64_t until, uint64_t step, Expire expire,
                                     Done done) {
    for (uint64_t now = from; now <= until; now += step) {
      expire(now);
      if (done()) return now;
    }
    return std::nullopt;
  }

  // Expiry every millisecond from `start` frees the table's only template no earlier than
  // `expires` and no later than one wheel tick (plus the step) after it.
  static void expect_freed_on_time(affinity_table& t, uint64_t start, uint64_t expires) {
    const auto freed = run(start, expires + 2 * tick(), ms(1),
                           [&](uint64_t now) { t.expire(now, 256); }, [&] { return t.size() == 0; });
    ASSERT_TRUE(freed.has_value());
    EXPECT_GE(*freed, expires);
    EXPECT_LE(*freed, expires + tick() + ms(1));
  }

  unsigned next_id() { return id_++; }
  static inline unsigned id_ = 100; // table names are per worker id and must not collide
};

TEST_F(Expiry, AffinityTemplateIsFreedWithinATickOfItsExpiry) {
  affinity_table t(next_id(), 1024, SOCKET_ID_ANY);
  const uint64_t start = rte_rdtsc();
  const uint64_t expires = start + hz();
  ASSERT_TRUE(t.remember(0x0a000001, 1, 7, expires));
  expect_freed_on_time(t, start, expires);
}

TEST_F(Expiry, RenewedAffinityTemplateLivesToItsNewExpiry) {
  affinity_table t(next_id(), 1024, SOCKET_ID_ANY);
  const uint64_t start = rte_rdtsc();
  ASSERT_TRUE(t.remember(0x0a000001, 1, 7, start + hz()));
  // A new connection half a second later renews the template for another second.
  const uint64_t renewed = start + hz() / 2 + hz();
  ASSERT_TRUE(t.remember(0x0a000001, 1, 7, renewed));
  expect_freed_on_time(t, start, renewed);
}

TEST_F(Expiry, ShortenedAffinityTemplateIsFreedAtTheEarlierExpiry) {
  affinity_table t(next_id(), 1024, SOCKET_ID_ANY);
  const uint64_t start = rte_rdtsc();
  ASSERT_TRUE(t.remember(0x0a000001, 1, 7, start + 100 * hz()));
  const uint64_t expires = start + hz(); // a reload shortened the persistence timeout
  ASSERT_TRUE(t.remember(0x0a000001, 1, 7, expires));
  expect_freed_on_time(t, start, expires);
}

} // namespace
} // namespace sluice
