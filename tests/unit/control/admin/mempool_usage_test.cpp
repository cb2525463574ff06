// Property: the admin API's mempool reading counts the mbufs taken out of a pool — not those
// parked in an lcore's cache — and lists every pool of the process by name.
#include <gtest/gtest.h>

#include <rte_mbuf.h>

#include <algorithm>
#include <string>
#include <vector>

#include "control/admin/mempools.hpp"
#include "tests/support/eal_test.hpp"

namespace sluice {
namespace {

class MempoolUsage : public test::eal_test {
protected:
  // A pool with a per-lcore cache, as sluiced's packet pool has.
  static rte_mempool* make_pool(const char* name, unsigned n) {
    rte_mempool* mp = rte_pktmbuf_pool_create(name, n, 32, 0, 256, SOCKET_ID_ANY);
    EXPECT_NE(mp, nullptr) << name;
    return mp;
  }
};

api::mempool_report reading(const rte_mempool* mp) {
  const rte_mempool* pools[] = {mp};
  return mempool_usage(pools).at(0);
}

TEST_F(MempoolUsage, CountsMbufsTakenAndNotThoseBackInTheCache) {
  rte_mempool* mp = make_pool("usage_taken", 255);
  ASSERT_NE(mp, nullptr);
  EXPECT_EQ(reading(mp), (api::mempool_report{.name = "usage_taken", .size = 255, .in_use = 0}));
  std::vector<rte_mbuf*> taken(40);
  ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, taken.data(), unsigned(taken.size())), 0);
  EXPECT_EQ(reading(mp).in_use, 40u);
  for (std::size_t i = 0; i < 30; ++i) rte_pktmbuf_free(taken[i]);
  EXPECT_EQ(reading(mp).in_use, 10u) << "mbufs freed into this lcore's cache are free";
  for (std::size_t i = 30; i < taken.size(); ++i) rte_pktmbuf_free(taken[i]);
  EXPECT_EQ(reading(mp).in_use, 0u);
  rte_mempool_free(mp);
}

TEST_F(MempoolUsage, ListsEveryPoolOfTheProcessInCreationOrder) {
  rte_mempool* a = make_pool("usage_first", 63);
  rte_mempool* b = make_pool("usage_second", 127);
  ASSERT_TRUE(a != nullptr && b != nullptr);
  const std::vector<const rte_mempool*> pools = process_mempools();
  const auto at = [&](const rte_mempool* mp) { return std::find(pools.begin(), pools.end(), mp); };
  ASSERT_NE(at(a), pools.end());
  ASSERT_NE(at(b), pools.end());
  EXPECT_LT(at(a), at(b));
  const std::vector<api::mempool_report> usage = mempool_usage(pools);
  const auto named = [&](const std::string& name) {
    return std::find_if(usage.begin(), usage.end(),
                        [&](const api::mempool_report& r) { return r.name == name; });
  };
  ASSERT_NE(named("usage_second"), usage.end());
  EXPECT_EQ(named("usage_second")->size, 127u);
  rte_mempool_free(b);
  rte_mempool_free(a);
}

} // namespace
} // namespace sluice
