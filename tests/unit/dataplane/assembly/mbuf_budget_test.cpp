// The dataplane's mbuf pool size (dataplane/assembly/mbuf_budget.hpp): room for everything that
// can hold an mbuf at once, so that no RX queue starves.

#include "dataplane/assembly/mbuf_budget.hpp"

#include <gtest/gtest.h>

#include "dataplane/port/port.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/worker.hpp"

namespace sluice {
namespace {

// Every RX and TX descriptor of every queue filled, and a burst in flight on each.
unsigned full_queues(unsigned ports, unsigned workers) {
  return ports * workers * (k_rx_desc + k_tx_desc + worker::k_burst);
}

TEST(MbufBudget, HoldsEveryQueueFullWithRoomToSpare) {
  for (unsigned ports : {1u, 2u, 3u, 4u})
    for (unsigned workers : {1u, 2u, 4u, 8u})
      EXPECT_GT(mbufs_needed(ports, workers), full_queues(ports, workers))
          << ports << " ports, " << workers << " workers";
}

TEST(MbufBudget, HoldsEveryHandOffRingFullBesideTheQueues) {
  for (unsigned workers : {2u, 3u, 8u}) {
    const unsigned rings = workers * (workers - 1);
    EXPECT_GT(mbufs_needed(2, workers), full_queues(2, workers) + rings * handoff_mesh::k_ring_size)
        << workers << " workers";
  }
}

TEST(MbufBudget, EachWorkerAddsItsQueuesAndItsHandOffRings) {
  // A worker more brings its queue pair on every port and a hand-off ring to and from each other
  // worker (none with one worker alone); rounding may take back up to 1023 of that.
  for (unsigned workers = 1; workers < 8; ++workers) {
    const unsigned new_rings = (workers + 1) * workers - workers * (workers - 1);
    EXPECT_GE(mbufs_needed(2, workers + 1) - mbufs_needed(2, workers) + 1023,
              full_queues(2, 1) + new_rings * handoff_mesh::k_ring_size)
        << workers << " workers";
  }
}

TEST(MbufBudget, GrowsWithEveryPortAndWorker) {
  for (unsigned ports = 1; ports < 6; ++ports)
    for (unsigned workers = 1; workers < 6; ++workers) {
      EXPECT_GT(mbufs_needed(ports + 1, workers), mbufs_needed(ports, workers));
      EXPECT_GT(mbufs_needed(ports, workers + 1), mbufs_needed(ports, workers));
    }
}

TEST(MbufBudget, IsOneLessThanAMultipleOf1024) {
  for (unsigned ports = 1; ports < 6; ++ports)
    for (unsigned workers = 1; workers < 9; ++workers)
      EXPECT_EQ((mbufs_needed(ports, workers) + 1) % 1024, 0u) << ports << " " << workers;
}

} // namespace
} // namespace sluice
