#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "control/daemon/drains.hpp"

namespace sluice {
namespace {

using namespace std::chrono_literals;

service_config web(uint32_t drain_timeout, std::vector<uint8_t> backends, forwarding mode = forwarding::nat) {
  service_config s{.name = "web", .vip = htonl(0x0a000064), .port = htons(80), .proto = IPPROTO_TCP,
                   .mode = mode, .drain_timeout = drain_timeout};
  for (uint8_t last : backends) s.backends.push_back({.addr = htonl(0x0a000100u | last), .port = htons(8080)});
  return s;
}

const auto t0 = drain_schedule::clock::time_point{} + 1000s;

TEST(DrainSchedule, RemovedBackendIsFlushedWhenItsServicesTimeoutHasPassed) {
  drain_schedule d;
  const service_config old = web(5, {11, 12}), now = web(5, {11});
  d.on_change(old, &now, 7, t0);
  EXPECT_TRUE(d.take_due(t0 + 4s).empty());
  const auto due = d.take_due(t0 + 5s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].filter.service_slot, 7u);
  EXPECT_EQ(due[0].filter.backend_addr, htonl(0x0a00010c));
  EXPECT_EQ(due[0].filter.backend_port, htons(8080));
  EXPECT_EQ(d.pending(), 0u);
}

TEST(DrainSchedule, WithoutATimeoutRemovedBackendsDrainUntilTheirFlowsEnd) {
  drain_schedule d;
  const service_config old = web(0, {11, 12}), now = web(0, {11});
  d.on_change(old, &now, 7, t0);
  EXPECT_EQ(d.pending(), 0u);
}

TEST(DrainSchedule, ReaddingTheBackendCancelsItsFlush) {
  drain_schedule d;
  const service_config old = web(5, {11, 12}), without = web(5, {11}), again = web(5, {11, 12});
  d.on_change(old, &without, 7, t0);
  d.on_change(without, &again, 7, t0 + 1s);
  EXPECT_TRUE(d.take_due(t0 + 10s).empty());
}

TEST(DrainSchedule, RemovedServiceDrainsEveryBackend) {
  drain_schedule d;
  d.on_change(web(5, {11, 12, 13}), nullptr, 3, t0);
  EXPECT_EQ(d.take_due(t0 + 5s).size(), 3u);
}

TEST(DrainSchedule, DirectModeBackendsMatchEveryPort) {
  drain_schedule d;
  const service_config old = web(1, {11, 12}, forwarding::dr), now = web(1, {11}, forwarding::dr);
  d.on_change(old, &now, 7, t0);
  const auto due = d.take_due(t0 + 1s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].filter.backend_port, 0u) << "DR flows carry the client's destination port";
  flow f{.client_addr = 1, .vip = htonl(0x0a000064), .backend_addr = htonl(0x0a00010c), .client_port = 1,
         .vip_port = htons(443), .backend_port = htons(443), .proto = IPPROTO_TCP,
         .state = flow_state::tcp_established, .service_slot = 7, .backend_slot = 0};
  EXPECT_TRUE(due[0].filter.matches(f));
  f.service_slot = 8;
  EXPECT_FALSE(due[0].filter.matches(f)) << "another service's flows to the same address stay";
}

} // namespace
} // namespace sluice
