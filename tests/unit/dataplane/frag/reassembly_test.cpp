// The reassembly table's bookkeeping on offsets alone: completion in any order, and each way a
// datagram is refused (overlap, duplicate, too many pieces, bad lengths, timeout, full table).

#include <gtest/gtest.h>

#include "dataplane/frag/reassembly.hpp"

namespace sluice {
namespace {

using kind = frag_outcome::kind;

constexpr uint64_t k_timeout = 1000;
const frag_key k_a{.src = 1, .dst = 2, .id = 7, .proto = 17};
const frag_key k_b{.src = 1, .dst = 2, .id = 8, .proto = 17};

frag_piece piece(uint32_t offset, uint32_t len, bool more) {
  return {.offset = offset, .len = len, .more = more, .header_len = 20};
}

TEST(ReassemblyTable, InOrderFragmentsCompleteWithTheFirstHeaderLength) {
  reassembly_table t(4, 65000, k_timeout);
  frag_outcome o = t.add(k_a, {.offset = 0, .len = 1480, .more = true, .header_len = 24}, 0);
  EXPECT_EQ(o.what, kind::held);
  EXPECT_TRUE(o.opened);
  o = t.add(k_a, piece(1480, 1480, true), 1);
  EXPECT_EQ(o.what, kind::held);
  EXPECT_FALSE(o.opened);
  o = t.add(k_a, piece(2960, 1048, false), 2);
  ASSERT_EQ(o.what, kind::complete);
  EXPECT_EQ(o.total, 4008u);
  EXPECT_EQ(o.header_len, 24);
  t.release(o.slot);
  EXPECT_EQ(t.in_use(), 0u);
}

TEST(ReassemblyTable, LastFragmentFirstThenTheRestInReverseCompletes) {
  reassembly_table t(4, 65000, k_timeout);
  EXPECT_EQ(t.add(k_a, piece(2960, 1048, false), 0).what, kind::held);
  EXPECT_EQ(t.add(k_a, piece(1480, 1480, true), 0).what, kind::held);
  const frag_outcome o = t.add(k_a, piece(0, 1480, true), 0);
  ASSERT_EQ(o.what, kind::complete);
  EXPECT_EQ(o.total, 4008u);
  EXPECT_EQ(o.header_len, 20);
}

TEST(ReassemblyTable, CompletionReportsTheBiggestFragmentWhateverItsPlace) {
  // What a DF datagram may be cut into again: the biggest piece its sender sent, header included
  // (a later piece without the first one's options may be the biggest).
  reassembly_table t(4, 65000, k_timeout);
  t.add(k_a, {.offset = 0, .len = 1000, .more = true, .header_len = 28}, 0);
  t.add(k_a, piece(1000, 1008, true), 0);
  const frag_outcome o = t.add(k_a, piece(2008, 500, false), 0);
  ASSERT_EQ(o.what, kind::complete);
  EXPECT_EQ(o.largest, 20 + 1008);
}

TEST(ReassemblyTable, DatagramsWithAnotherIdAreKeptApart) {
  reassembly_table t(4, 65000, k_timeout);
  const uint32_t a = t.add(k_a, piece(0, 8, true), 0).slot;
  const frag_outcome b = t.add(k_b, piece(8, 8, false), 0);
  EXPECT_NE(b.slot, a);
  EXPECT_EQ(t.in_use(), 2u);
  EXPECT_EQ(t.add(k_a, piece(8, 8, false), 0).what, kind::complete);
}

TEST(ReassemblyTable, PartialOverlapDiscardsTheWholeDatagram) {
  reassembly_table t(4, 65000, k_timeout);
  t.add(k_a, piece(0, 1480, true), 0);
  t.add(k_a, piece(2960, 100, false), 0);
  const frag_outcome o = t.add(k_a, piece(1400, 1560, true), 0);
  EXPECT_EQ(o.what, kind::discarded);
  EXPECT_EQ(o.reason, drop_reason::ip_frag_overlap);
  EXPECT_EQ(o.fragments, 3);
  EXPECT_EQ(t.in_use(), 0u);
}

TEST(ReassemblyTable, ExactDuplicateCountsAsOverlap) {
  reassembly_table t(4, 65000, k_timeout);
  t.add(k_a, piece(0, 1480, true), 0);
  const frag_outcome o = t.add(k_a, piece(0, 1480, true), 0);
  EXPECT_EQ(o.what, kind::discarded);
  EXPECT_EQ(o.reason, drop_reason::ip_frag_overlap);
  EXPECT_EQ(o.fragments, 2);
}

TEST(ReassemblyTable, MoreThanTheFragmentLimitIsDiscarded) {
  reassembly_table t(1, 65000, k_timeout);
  for (uint32_t i = 0; i < reassembly_table::k_max_fragments; ++i)
    ASSERT_EQ(t.add(k_a, piece(i * 8, 8, true), 0).what, kind::held) << i;
  const frag_outcome o = t.add(k_a, piece(reassembly_table::k_max_fragments * 8, 8, true), 0);
  EXPECT_EQ(o.what, kind::discarded);
  EXPECT_EQ(o.reason, drop_reason::ip_frag_too_many);
  EXPECT_EQ(o.fragments, reassembly_table::k_max_fragments + 1);
}

TEST(ReassemblyTable, MalformedLengthsAreRefusedOrDiscardTheDatagram) {
  reassembly_table t(4, 65000, k_timeout);
  // Not a multiple of 8 before the last; empty: refused on their own when nothing is held.
  EXPECT_EQ(t.add(k_a, piece(0, 1001, true), 0).reason, drop_reason::ip_frag_malformed);
  EXPECT_EQ(t.add(k_a, piece(8, 0, false), 0).what, kind::refused);
  EXPECT_EQ(t.in_use(), 0u);
  // A last fragment that ends before data already seen.
  t.add(k_a, piece(0, 1480, true), 0);
  frag_outcome o = t.add(k_a, piece(800, 8, false), 0);
  EXPECT_EQ(o.what, kind::discarded);
  EXPECT_EQ(o.reason, drop_reason::ip_frag_malformed);
  // A fragment beyond the end the last fragment fixed.
  t.add(k_b, piece(1480, 100, false), 0);
  o = t.add(k_b, piece(1584, 8, true), 0);
  EXPECT_EQ(o.what, kind::discarded);
  EXPECT_EQ(o.reason, drop_reason::ip_frag_malformed);
  EXPECT_EQ(t.in_use(), 0u);
}

TEST(ReassemblyTable, PayloadBeyondTheBufferIsTooBig) {
  reassembly_table t(4, 4000, k_timeout);
  EXPECT_EQ(t.add(k_a, piece(3992, 16, false), 0).reason, drop_reason::ip_frag_too_big);
  EXPECT_EQ(t.add(k_a, piece(3984, 16, false), 0).what, kind::held);
}

TEST(ReassemblyTable, FullTableRefusesNewDatagramsButServesHeldOnes) {
  reassembly_table t(1, 65000, k_timeout);
  t.add(k_a, piece(0, 8, true), 0);
  const frag_outcome o = t.add(k_b, piece(0, 8, true), 0);
  EXPECT_EQ(o.what, kind::refused);
  EXPECT_EQ(o.reason, drop_reason::ip_frag_table_full);
  EXPECT_EQ(t.add(k_a, piece(8, 8, false), 0).what, kind::complete);
}

TEST(ReassemblyTable, ExpiryFreesDatagramsOlderThanTheTimeoutOnly) {
  reassembly_table t(4, 65000, k_timeout);
  t.add(k_a, piece(0, 8, true), 100);
  t.add(k_a, piece(16, 8, true), 150);
  t.add(k_b, piece(0, 8, true), 600);
  std::vector<std::pair<uint32_t, uint16_t>> expired;
  auto note = [&](uint32_t slot, uint16_t n) { expired.emplace_back(slot, n); };
  EXPECT_EQ(t.expire(100 + k_timeout - 1, note), 0u);
  EXPECT_EQ(t.expire(100 + k_timeout, note), 1u);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].second, 2); // both fragments of k_a
  EXPECT_EQ(t.in_use(), 1u);
  // The timed-out datagram's key starts afresh.
  EXPECT_TRUE(t.add(k_a, piece(8, 8, true), 1200).opened);
}

} // namespace
} // namespace sluice
