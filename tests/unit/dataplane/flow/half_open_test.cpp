// The worker's half-open flows in arrival order (dataplane/flow/half_open.hpp): the oldest is the
// one to evict, a flow that left SYN_RECV is never offered, every slot of the table fits, and
// random operations agree with a plain std::list model.

#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <random>
#include <vector>

#include "dataplane/flow/half_open.hpp"

namespace sluice {
namespace {

struct list_fixture {
  explicit list_fixture(uint32_t capacity)
      : links(half_open_list::links_for(capacity)), list(links.data(), capacity) {}
  // Takes the oldest slot out of the list, as an eviction does; k_none when empty.
  uint32_t evict() {
    const uint32_t s = list.oldest();
    if (s != half_open_list::k_none) list.remove(s);
    return s;
  }
  std::vector<half_open_link> links;
  half_open_list list;
};

TEST(HalfOpenList, StartsEmptyWithNothingToEvict) {
  list_fixture f(16);
  EXPECT_EQ(f.list.size(), 0u);
  EXPECT_EQ(f.list.oldest(), half_open_list::k_none);
  for (uint32_t s = 0; s < 16; ++s) EXPECT_FALSE(f.list.contains(s)) << s;
}

TEST(HalfOpenList, OffersFlowsOldestFirstWhateverTheirSlots) {
  list_fixture f(16);
  for (uint32_t s : {7u, 2u, 15u, 0u}) f.list.push(s);
  EXPECT_EQ(f.list.size(), 4u);
  EXPECT_EQ(f.evict(), 7u);
  EXPECT_EQ(f.evict(), 2u);
  EXPECT_EQ(f.evict(), 15u);
  EXPECT_EQ(f.evict(), 0u);
  EXPECT_EQ(f.evict(), half_open_list::k_none);
  EXPECT_EQ(f.list.size(), 0u);
}

TEST(HalfOpenList, AFlowNoLongerHalfOpenIsSkippedWhereverItWas) {
  list_fixture f(16);
  for (uint32_t s : {1u, 2u, 3u, 4u, 5u}) f.list.push(s);
  f.list.remove(1); // the oldest established
  f.list.remove(3); // one in the middle ended
  f.list.remove(5); // the newest was reset
  EXPECT_EQ(f.list.size(), 2u);
  EXPECT_FALSE(f.list.contains(3));
  EXPECT_EQ(f.evict(), 2u);
  EXPECT_EQ(f.evict(), 4u);
  EXPECT_EQ(f.evict(), half_open_list::k_none);
}

TEST(HalfOpenList, RemovingASlotNotInTheListChangesNothing) {
  list_fixture f(8);
  f.list.push(3);
  f.list.push(4);
  f.list.remove(5);
  f.list.remove(3);
  f.list.remove(3);
  EXPECT_EQ(f.list.size(), 1u);
  EXPECT_EQ(f.evict(), 4u);
}

TEST(HalfOpenList, ASlotReusedByALaterFlowIsNewestAgain) {
  list_fixture f(8);
  f.list.push(1);
  f.list.push(2);
  f.list.remove(1); // its flow established and later ended; a new half-open flow takes slot 1
  f.list.push(1);
  EXPECT_EQ(f.evict(), 2u);
  EXPECT_EQ(f.evict(), 1u);
}

TEST(HalfOpenList, HoldsEverySlotOfItsCapacity) {
  constexpr uint32_t k_capacity = 4096;
  list_fixture f(k_capacity);
  for (uint32_t s = k_capacity; s-- > 0;) f.list.push(s); // the slots in reverse
  EXPECT_EQ(f.list.size(), k_capacity);
  for (uint32_t s = k_capacity; s-- > 0;) ASSERT_EQ(f.evict(), s);
  EXPECT_EQ(f.list.size(), 0u);
}

TEST(HalfOpenList, RandomPushesRemovalsAndEvictionsAgreeWithAListModel) {
  constexpr uint32_t k_capacity = 64;
  list_fixture f(k_capacity);
  std::list<uint32_t> model; // oldest first
  std::mt19937 rng(2026);
  for (int step = 0; step < 100000; ++step) {
    const uint32_t slot = rng() % k_capacity;
    const bool in = std::find(model.begin(), model.end(), slot) != model.end();
    switch (rng() % 3) {
    case 0: // a new half-open flow in a free slot
      if (!in) {
        f.list.push(slot);
        model.push_back(slot);
      }
      break;
    case 1: // a flow established, reset or erased
      f.list.remove(slot);
      model.remove(slot);
      break;
    default: // the cap reached: the oldest goes
      ASSERT_EQ(f.evict(), model.empty() ? half_open_list::k_none : model.front()) << step;
      if (!model.empty()) model.pop_front();
    }
    ASSERT_EQ(f.list.size(), model.size()) << step;
    ASSERT_EQ(f.list.oldest(), model.empty() ? half_open_list::k_none : model.front()) << step;
  }
}

} // namespace
} // namespace sluice
