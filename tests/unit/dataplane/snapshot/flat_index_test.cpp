#include <gtest/gtest.h>

#include "dataplane/snapshot/flat_index.hpp"

namespace sluice {
namespace {

TEST(FlatIndex, FindsEveryInsertedKeyAndNothingElse) {
  std::vector<std::pair<uint64_t, uint32_t>> entries;
  for (uint32_t i = 1; i <= 5000; ++i) entries.emplace_back(uint64_t(i) * 0x10001, i);
  const flat_index idx(entries);
  for (const auto& [k, v] : entries) EXPECT_EQ(idx.find(k), v);
  EXPECT_EQ(idx.find(3), flat_index::k_absent);
  EXPECT_EQ(idx.find(0x10001ull * 5001), flat_index::k_absent);
}

TEST(FlatIndex, EmptyIndexFindsNothing) {
  EXPECT_EQ(flat_index().find(42), flat_index::k_absent);
  EXPECT_EQ(flat_index(std::vector<std::pair<uint64_t, uint32_t>>{}).find(42), flat_index::k_absent);
}

} // namespace
} // namespace sluice
