#include <gtest/gtest.h>

#include "control/config/load_kubernetes.hpp"
#include "control/k8s/pool.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice::k8s {
namespace {

uint32_t ip(const char* s) { return *parse_ipv4(s); }

std::vector<address_pool_config> pools() {
  return {{.name = "small", .ranges = {*parse_address_range("192.0.2.8/31")}},
          {.name = "range", .ranges = {*parse_address_range("198.51.100.5-198.51.100.6")}},
          {.name = "manual", .ranges = {*parse_address_range("203.0.113.1")}, .auto_assign = false}};
}

TEST(K8sPool, CidrsThenRangesServeTheLowestFreeAddressInOrder) {
  const auto r = allocate(pools(), {}, {{.key = "a/1"}, {.key = "a/2"}, {.key = "a/3"}});
  EXPECT_EQ(r.assigned.at("a/1"), ip("192.0.2.8"));
  EXPECT_EQ(r.assigned.at("a/2"), ip("192.0.2.9"));
  EXPECT_EQ(r.assigned.at("a/3"), ip("198.51.100.5"));
}

TEST(K8sPool, AllocationIsStableWhenAnEarlierServiceArrives) {
  auto first = allocate(pools(), {}, {{.key = "b/web"}});
  auto second = allocate(pools(), first.assigned, {{.key = "a/new"}, {.key = "b/web"}});
  EXPECT_EQ(second.assigned.at("b/web"), first.assigned.at("b/web"));
  EXPECT_NE(second.assigned.at("a/new"), first.assigned.at("b/web"));
}

TEST(K8sPool, AllocationsAreRebuiltFromServiceStatusAfterARestart) {
  const auto r = allocate(pools(), {},
                          {{.key = "a/1"}, {.key = "z/9", .current = {ip("192.0.2.8")}}});
  EXPECT_EQ(r.assigned.at("z/9"), ip("192.0.2.8")) << "the status claim beats a newcomer";
  EXPECT_EQ(r.assigned.at("a/1"), ip("192.0.2.9"));
}

TEST(K8sPool, StatusAddressOutsideEveryPoolIsReplaced) {
  const auto r = allocate(pools(), {}, {{.key = "a/1", .current = {ip("10.9.9.9")}}});
  EXPECT_EQ(r.assigned.at("a/1"), ip("192.0.2.8"));
}

TEST(K8sPool, RequestedAddressIsGivenEvenFromANonAutoAssignPool) {
  const auto r = allocate(pools(), {}, {{.key = "a/1", .requested = ip("203.0.113.1")}});
  EXPECT_EQ(r.assigned.at("a/1"), ip("203.0.113.1"));
}

TEST(K8sPool, RequestedAddressHeldByAnotherServiceNamesTheOwner) {
  const auto r = allocate(pools(), {{"a/old", ip("192.0.2.9")}},
                          {{.key = "a/old"}, {.key = "b/new", .requested = ip("192.0.2.9")}});
  EXPECT_EQ(r.assigned.at("a/old"), ip("192.0.2.9"));
  EXPECT_EQ(r.failures.at("b/new"), "requested address 192.0.2.9 is already allocated to a/old");
  const auto out = allocate(pools(), {}, {{.key = "c/x", .requested = ip("10.0.0.1")}});
  EXPECT_EQ(out.failures.at("c/x"), "requested address 10.0.0.1 is in no address pool");
}

TEST(K8sPool, ChangedRequestMovesTheServiceToTheRequestedAddress) {
  const auto r = allocate(pools(), {{"a/1", ip("192.0.2.8")}},
                          {{.key = "a/1", .requested = ip("198.51.100.6")}});
  EXPECT_EQ(r.assigned.at("a/1"), ip("198.51.100.6"));
}

TEST(K8sPool, NamedPoolIsTheOnlyOneUsed) {
  const auto r = allocate(pools(), {}, {{.key = "a/1", .pool = "range"}, {.key = "a/2", .pool = "nope"}});
  EXPECT_EQ(r.assigned.at("a/1"), ip("198.51.100.5"));
  EXPECT_EQ(r.failures.at("a/2"), "no address pool named \"nope\"");
}

TEST(K8sPool, ExhaustionLeavesTheRestWithoutAnAddressAndSaysSo) {
  std::vector<allocation_request> many;
  for (int i = 0; i < 6; ++i) many.push_back({.key = "ns/s" + std::to_string(i)});
  const auto r = allocate(pools(), {}, many);
  EXPECT_EQ(r.assigned.size(), 4u) << "manual is not auto-assigned";
  EXPECT_EQ(r.failures.size(), 2u);
  EXPECT_EQ(r.failures.at("ns/s5"), "no address left in any auto-assign address pool");
}

TEST(K8sPool, NoAddressIsGivenTwice) {
  std::vector<allocation_request> reqs;
  for (int i = 0; i < 4; ++i)
    reqs.push_back({.key = "n/" + std::to_string(i), .current = {ip("192.0.2.8")}});
  const auto r = allocate(pools(), {}, reqs);
  std::set<uint32_t> seen;
  for (const auto& [k, a] : r.assigned) EXPECT_TRUE(seen.insert(a).second) << k;
}

TEST(K8sPool, RangeSyntaxRefusesBackwardsRangesAndHostBits) {
  EXPECT_FALSE(parse_address_range("10.0.0.9-10.0.0.1"));
  EXPECT_FALSE(parse_address_range("10.0.0.1/24"));
  EXPECT_FALSE(parse_address_range("10.0.0.0/33"));
  EXPECT_EQ(parse_address_range("10.0.0.0/30")->last - parse_address_range("10.0.0.0/30")->first, 3u);
}

} // namespace
} // namespace sluice::k8s
