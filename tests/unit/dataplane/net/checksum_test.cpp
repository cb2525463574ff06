#include <gtest/gtest.h>

#include <algorithm>
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

// What a NAT rewrite does in one fold: an address, a port and the TTL word change together.
TEST(IncrementalChecksum, SeveralChangesFoldedOnceMatchFullRecomputation) {
  std::mt19937 rng(13);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint16_t> words(12);
    for (auto& w : words) w = uint16_t(rng());
    // Extreme words too: carries and the 0x0000/0xffff pair are where folding goes wrong.
    if (round % 4 == 0) words[round % 12] = 0xffff;
    if (round % 8 == 1) words[(round / 8) % 12] = 0;
    // Zeros turning into ones: the largest change a field can make.
    const bool all_ones = round % 16 == 2;
    if (all_ones) std::fill(words.begin(), words.end(), 0);
    const uint16_t before = full_checksum(words);
    const uint32_t old_addr = uint32_t(words[2]) | uint32_t(words[3]) << 16;
    const uint32_t new_addr = all_ones || round % 16 == 0 ? 0xffffffff : uint32_t(rng());
    const uint16_t old_port = words[7];
    const uint16_t new_port = all_ones ? 0xffff : uint16_t(rng());
    const uint16_t old_ttl = words[9];
    const uint16_t new_ttl = uint16_t(old_ttl - 0x100);
    words[2] = uint16_t(new_addr);
    words[3] = uint16_t(new_addr >> 16);
    words[7] = new_port;
    words[9] = new_ttl;
    const uint64_t change = csum_change4(old_addr, new_addr) + csum_change2(old_port, new_port) +
                            csum_change2(old_ttl, new_ttl);
    EXPECT_EQ(csum_apply(before, change), full_checksum(words)) << "round " << round;
  }
}

TEST(IncrementalChecksum, UnchangedFieldLeavesChecksumAlone) {
  EXPECT_EQ(csum_replace4(0x1234, 0xdeadbeef, 0xdeadbeef), 0x1234);
}

} // namespace
} // namespace sluice
