#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "dataplane/neigh/table.hpp"

namespace sluice {
namespace {

ip_addr v4(uint32_t host_order) { return ip_addr::ipv4(htonl(host_order)); }

TEST(NeighbourTable, OneEntryPerInterfaceAndAddress) {
  neighbour_table t(64);
  neighbour* a = t.find_or_create(0, v4(0x0a000001));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->state, neigh_state::incomplete);
  EXPECT_EQ(t.find_or_create(0, v4(0x0a000001)), a);
  EXPECT_EQ(t.find(0, v4(0x0a000001)), a);
  // The same address on another link is another neighbour.
  neighbour* b = t.find_or_create(1, v4(0x0a000001));
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(t.find(2, v4(0x0a000001)), nullptr);
  EXPECT_EQ(t.find(0, v4(0x0a000002)), nullptr);
}

// Flows keep an entry's index (flow::next_hop) for their whole life: entries never move, however
// many are added after them, and colliding addresses each find their own.
TEST(NeighbourTable, EntriesKeepTheirSlotUntilTheTableIsFull) {
  neighbour_table t(16);
  neighbour* slots[16];
  for (uint32_t i = 0; i < 16; ++i) {
    slots[i] = t.find_or_create(0, v4(0x0a000100 + i));
    ASSERT_NE(slots[i], nullptr) << i;
  }
  EXPECT_EQ(t.find_or_create(0, v4(0x0a000200)), nullptr) << "a full table creates nothing";
  for (uint32_t i = 0; i < 16; ++i) {
    EXPECT_EQ(t.find(0, v4(0x0a000100 + i)), slots[i]) << i;
    EXPECT_EQ(&t.slot(t.index_of(*slots[i])), slots[i]);
    EXPECT_EQ(slots[i]->addr, v4(0x0a000100 + i));
  }
}

} // namespace
} // namespace sluice
