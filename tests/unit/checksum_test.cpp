#include <gtest/gtest.h>

#include <random>

#include "dataplane/net/checksum.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice {
namespace {

uint16_t full_checksum(const std::vector<uint16_t>& words) {
  std::vector<uint8_t> b;
  for (uint16_t w : words) {
    b.push_back(uint8_t(w >> 8));
    b.push_back(uint8_t(w));
  }
  return uint16_t(~testing::ones_sum(b.data(), b.size()));
}

// Words are handled in host order here; the identity holds for any consistent byte order.
TEST(IncrementalChecksum, Replace2MatchesFullRecomputation) {
  std::mt19937 rng(7);
  for (int round = 0; round < 10000; ++round) {
    std::vector<uint16_t> words(10);
    for (auto& w : words) w = uint16_t(rng());
    const uint16_t before = full_checksum(words);
    const std::size_t i = rng() % words.size();
    const uint16_t old_word = words[i];
    words[i] = uint16_t(rng());
    EXPECT_EQ(csum_replace2(before, old_word, words[i]), full_checksum(words));
  }
}

TEST(IncrementalChecksum, Replace4MatchesFullRecomputation) {
  std::mt19937 rng(11);
  for (int round = 0; round < 10000; ++round) {
    std::vector<uint16_t> words(10);
    for (auto& w : words) w = uint16_t(rng());
    const uint16_t before = full_checksum(words);
    const uint32_t old_value = uint32_t(words[2]) | uint32_t(words[3]) << 16;
    const uint32_t new_value = rng();
    words[2] = uint16_t(new_value);
    words[3] = uint16_t(new_value >> 16);
    EXPECT_EQ(csum_replace4(before, old_value, new_value), full_checksum(words));
  }
}

TEST(IncrementalChecksum, UnchangedFieldLeavesChecksumAlone) {
  EXPECT_EQ(csum_replace4(0x1234, 0xdeadbeef, 0xdeadbeef), 0x1234);
}

} // namespace
} // namespace sluice
