// Expiry of the worker's tables through their timer wheels (dataplane/flow/timer_wheel.hpp),
// driven by an injected clock: the tables take `now` from the caller, as the worker passes its
// TSC reading. EAL once (rte_malloc, rte_hash), no hugepages.

#include <gtest/gtest.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include <optional>
#include <vector>

#include <netinet/in.h>

#include "dataplane/flow/affinity.hpp"
#include "dataplane/flow/table.hpp"
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

  // A NAT flow whose tuples are distinct for distinct n.
  static flow nat_flow(uint32_t n, flow_state state, uint64_t last_seen) {
    return flow{.client_addr = 0x0b000000u + n,
                .vip = 0x0a00000a,
                .backend_addr = 0x0a000101,
                .client_port = uint16_t(1024 + n % 50000),
                .vip_port = 80,
                .backend_port = 8080,
                .proto = IPPROTO_TCP,
                .state = state,
                .service_slot = 0,
                .backend_slot = 0,
                .mode = forwarding::nat,
                .last_seen = last_seen};
  }

  // Runs the flow table's expiry as the worker does, every 50 us with a budget of 256, from
  // `from` to `until`; returns when the flow at `index` was erased (on_expire saw it).
  static std::optional<uint64_t> expired_at(flow_table& t, uint32_t index, uint64_t from,
                                            uint64_t until) {
    const uint64_t step = hz() / 20000;
    std::optional<uint64_t> at;
    for (uint64_t now = from; now <= until && !at; now += step)
      t.expire(now, 256, [&](const flow& f) {
        if (&f == &t.at(index)) at = now;
      });
    return at;
  }

  // The worker's expiry from `start` erases the flow at `index` no earlier than `deadline` and
  // no later than one wheel tick (plus the 50 us step) after it.
  static void expect_expired_on_time(flow_table& t, uint32_t index, uint64_t start,
                                     uint64_t deadline) {
    const auto at = expired_at(t, index, start, deadline + 2 * tick());
    ASSERT_TRUE(at.has_value()) << "not erased by " << 2 * tick() << " cycles after the deadline";
    EXPECT_GE(*at, deadline);
    EXPECT_LE(*at, deadline + tick() + hz() / 20000);
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

TEST_F(Expiry, ClosedFlowExpiresWithinATickAtAMillionSlots) {
  // The old sweep visited 256 of 2^20 slots per 50 us: a given slot once every 0.2 s, so a
  // flow could outlive its tcp_close timeout by that much. The wheel finds it within one tick,
  // beside 100,000 established flows that are not due.
  flow_table t(next_id(), 1u << 20, SOCKET_ID_ANY, flow_timeouts{});
  const uint64_t start = rte_rdtsc();
  for (uint32_t n = 1; n <= 100000; ++n)
    ASSERT_GE(t.insert(nat_flow(n, flow_state::tcp_established, start)), 0);
  const int64_t closed = t.insert(nat_flow(0, flow_state::tcp_close, start));
  ASSERT_GE(closed, 0);
  const uint64_t deadline = start + 10 * hz();
  expect_expired_on_time(t, uint32_t(closed), start, deadline);
  EXPECT_EQ(t.size(), 100000u) << "the established flows are not due for 900 s";
}

TEST_F(Expiry, ShortenedTimeoutIsRearmedAtTheEarlierDeadline) {
  flow_table t(next_id(), 1024, SOCKET_ID_ANY, flow_timeouts{});
  const uint64_t start = rte_rdtsc();
  const int64_t i = t.insert(nat_flow(1, flow_state::tcp_established, start));
  ASSERT_GE(i, 0);
  // An RST a second later: the worker sets the state and re-arms (pipeline::set_state()).
  flow& f = t.at(uint32_t(i));
  f.last_seen = start + hz();
  f.state = flow_state::tcp_close;
  t.rearm(f);
  const uint64_t deadline = start + 11 * hz();
  expect_expired_on_time(t, uint32_t(i), start, deadline);
}

TEST_F(Expiry, FlowSeenSinceItsTimerWasArmedLivesToItsIdleTimeout) {
  flow_table t(next_id(), 1024, SOCKET_ID_ANY, flow_timeouts{});
  const uint64_t start = rte_rdtsc();
  const int64_t i = t.insert(nat_flow(1, flow_state::tcp_close, start));
  ASSERT_GE(i, 0);
  t.at(uint32_t(i)).last_seen = start + 5 * hz(); // traffic: no wheel work on the packet path
  const uint64_t deadline = start + 15 * hz();
  expect_expired_on_time(t, uint32_t(i), start, deadline);
}

TEST_F(Expiry, ErasedFlowLeavesNoTimerBehind) {
  // A flush or a reused tuple erases the flow: its timer goes with it (no expiry of a free
  // slot later), and the slot's next flow keeps only its own deadline.
  flow_table t(next_id(), 1024, SOCKET_ID_ANY, flow_timeouts{});
  const uint64_t start = rte_rdtsc();
  const int64_t i = t.insert(nat_flow(1, flow_state::tcp_close, start));
  ASSERT_GE(i, 0);
  t.erase(uint32_t(i));
  EXPECT_FALSE(expired_at(t, uint32_t(i), start, start + 11 * hz()).has_value());
  EXPECT_EQ(t.size(), 0u);
  const int64_t j = t.insert(nat_flow(2, flow_state::tcp_established, start + 11 * hz()));
  ASSERT_EQ(j, i) << "the slot is reused";
  EXPECT_FALSE(expired_at(t, uint32_t(j), start + 11 * hz(), start + 30 * hz()).has_value());
  EXPECT_EQ(t.size(), 1u);
}

TEST_F(Expiry, DueFlowsTakenInBatchesEraseTheIdleAndLeaveTheSeenFindableBothWays) {
  // 100 flows due in one slot (several of expire()'s batches): the odd ones idle, the even
  // ones seen since their timers were armed. Only the idle go, each reported once; the others
  // keep both tuples in the index and expire at their own deadline.
  flow_table t(next_id(), 4096, SOCKET_ID_ANY, flow_timeouts{});
  const uint64_t start = rte_rdtsc();
  std::vector<uint32_t> index;
  for (uint32_t n = 0; n < 100; ++n) {
    const int64_t i = t.insert(nat_flow(n, flow_state::tcp_close, start));
    ASSERT_GE(i, 0);
    index.push_back(uint32_t(i));
    if (n % 2 == 0) t.at(uint32_t(i)).last_seen = start + 5 * hz();
  }
  std::vector<unsigned> reported(index.size(), 0);
  auto count = [&](const flow& f) {
    for (std::size_t n = 0; n < index.size(); ++n) reported[n] += &f == &t.at(index[n]);
  };
  // Each call passes at most 256 wheel slots: enough calls to catch up, first to just before
  // the deadline (nothing due), then past it.
  auto catch_up = [&](uint64_t now) {
    for (int call = 0; call < 100; ++call) t.expire(now, 256, count);
  };
  catch_up(start + 10 * hz() - tick());
  EXPECT_EQ(t.size(), 100u);
  const uint64_t after_idle = start + 10 * hz() + 2 * tick();
  const unsigned first = t.expire(after_idle, 20, count);
  EXPECT_GT(first, 0u);
  EXPECT_LE(first, 20u) << "the budget bounds the work, batches or not";
  catch_up(after_idle);
  EXPECT_EQ(t.size(), 50u);
  for (uint32_t n = 0; n < index.size(); ++n) {
    const flow f = nat_flow(n, flow_state::tcp_close, start);
    const auto fwd = t.lookup(f.forward_key());
    const auto rev = t.lookup(f.reply_key());
    if (n % 2 == 1) {
      EXPECT_EQ(reported[n], 1u) << n;
      EXPECT_FALSE(fwd.has_value()) << n;
      EXPECT_FALSE(rev.has_value()) << n;
      continue;
    }
    EXPECT_EQ(reported[n], 0u) << n;
    ASSERT_TRUE(fwd.has_value() && rev.has_value()) << n;
    EXPECT_EQ(fwd->index, index[n]);
    EXPECT_EQ(fwd->dir, flow_dir::forward);
    EXPECT_EQ(rev->index, index[n]);
    EXPECT_EQ(rev->dir, flow_dir::reply);
  }
  catch_up(start + 15 * hz() + 2 * tick());
  EXPECT_EQ(t.size(), 0u);
  for (std::size_t n = 0; n < index.size(); ++n) EXPECT_EQ(reported[n], 1u) << n;
}

TEST_F(Expiry, ZeroTimeoutFlowsExpireWithinATickPlusTheirBacklog) {
  // nat-new's shape: every new flow has a SYN_RECV timeout of 0. 50,000 flows opened over a
  // tenth of a second all go within a tick of the last, at 256 per 50 us.
  flow_timeouts zero{};
  zero.tcp_syn_recv = 0;
  flow_table t(next_id(), 1u << 20, SOCKET_ID_ANY, zero);
  const uint64_t start = rte_rdtsc();
  const uint64_t step = hz() / 20000;
  uint64_t now = start;
  for (uint32_t n = 0; n < 50000; ++n) {
    ASSERT_GE(t.insert(nat_flow(n, flow_state::tcp_syn_recv, now)), 0);
    if (n % 25 == 0) {
      now += step;
      t.expire(now, 256, [](const flow&) {});
    }
  }
  const uint64_t last = now;
  while (t.size() != 0 && now < last + 2 * tick()) t.expire(now += step, 256, [](const flow&) {});
  EXPECT_EQ(t.size(), 0u);
  EXPECT_LE(now, last + tick() + step);
}

} // namespace
} // namespace sluice
