// Maglev (NSDI'16 §3.4) table properties: the paper's worked example, balance, weights by
// credit, minimal disruption, and a golden table that every process and appliance must agree on.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "control/config/load.hpp"
#include "control/snapshot/maglev.hpp"
#include "dataplane/sched/stable_hash.hpp"

namespace sluice {
namespace {

constexpr uint32_t M = k_maglev_default_table_size;

uint32_t addr(uint32_t host_order) { return htonl(host_order); }

// N backends 10.1.x.y:8080, each with `weight`, permutations from their identities.
std::vector<maglev_backend> backends(uint32_t n, uint32_t weight = 1, uint32_t table_size = M) {
  std::vector<maglev_backend> out;
  for (uint32_t i = 0; i < n; ++i)
    out.push_back(maglev_permutation(maglev_identity(addr(0x0a010000 + i + 1), htons(8080)),
                                     table_size, weight));
  return out;
}

std::vector<uint32_t> slot_counts(const std::vector<uint32_t>& table, std::size_t n) {
  std::vector<uint32_t> count(n, 0);
  for (const uint32_t e : table) ++count.at(e);
  return count;
}

TEST(StableHash, SipHash24MatchesTheReferenceVectors) {
  // From the SipHash paper's reference implementation (vectors.h): key 00..0f, input 00..n-1.
  const siphash_key key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  uint8_t in[64];
  for (int i = 0; i < 64; ++i) in[i] = uint8_t(i);
  EXPECT_EQ(siphash24(in, 0, key), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash24(in, 1, key), 0x74f839c593dc67fdULL);
  EXPECT_EQ(siphash24(in, 8, key), 0x93f5f5799a932462ULL);
  EXPECT_EQ(siphash24(in, 15, key), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(siphash24(in, 63, key), 0x958a324ceb064572ULL);
}

TEST(MaglevTable, ReproducesThePapersWorkedExample) {
  // NSDI'16 Table 1: M = 7; B0 offset 3 skip 4, B1 offset 0 skip 2, B2 offset 3 skip 1.
  const std::vector<maglev_backend> b = {{3, 4, 1}, {0, 2, 1}, {3, 1, 1}};
  EXPECT_EQ(maglev_table(b, 7), (std::vector<uint32_t>{1, 0, 1, 0, 2, 2, 0}));
  // After B1 is removed, only B1's slots (0 and 2) and one of B0's change hands.
  const std::vector<maglev_backend> without_b1 = {{3, 4, 1}, {3, 1, 1}};
  EXPECT_EQ(maglev_table(without_b1, 7), (std::vector<uint32_t>{0, 0, 0, 0, 1, 1, 1}));
}

TEST(MaglevTable, PermutationsComeFromTheIdentityNotTheListPosition) {
  const maglev_backend a = maglev_permutation("10.0.1.11:8080", M, 1);
  const maglev_backend b = maglev_permutation("10.0.1.11:8080", M, 1);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.skip, b.skip);
  EXPECT_LT(a.offset, M);
  EXPECT_GE(a.skip, 1u);
  EXPECT_LT(a.skip, M);
  const maglev_backend other_port = maglev_permutation("10.0.1.11:8081", M, 1);
  EXPECT_TRUE(other_port.offset != a.offset || other_port.skip != a.skip);
  EXPECT_EQ(maglev_identity(addr(0x0a00010b), htons(8080)), "10.0.1.11:8080");
}

TEST(MaglevTable, UnweightedBalanceIsWithinOneSlot) {
  for (const uint32_t n : {1u, 2u, 3u, 10u, 100u, 1000u}) {
    SCOPED_TRACE(n);
    const auto count = slot_counts(maglev_table(backends(n), M), n);
    const auto [lo, hi] = std::minmax_element(count.begin(), count.end());
    EXPECT_LE(*hi - *lo, 1u);
  }
}

TEST(MaglevTable, WeightedSharesAreWithinOnePercentOfTheWeightRatio) {
  for (const uint32_t n : {4u, 10u, 50u}) {
    SCOPED_TRACE(n);
    auto b = backends(n);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; ++i) total += b[i].weight = 1 + (i * 7) % 13; // weights 1..13
    const auto count = slot_counts(maglev_table(b, M), n);
    for (uint32_t i = 0; i < n; ++i) {
      const double expected = double(M) * b[i].weight / double(total);
      EXPECT_NEAR(count[i], expected, expected * 0.01) << "backend " << i << " weight " << b[i].weight;
    }
  }
}

TEST(MaglevTable, HigherWeightGetsProportionallyMoreSlots) {
  auto b = backends(2);
  b[0].weight = 1;
  b[1].weight = 3;
  const auto count = slot_counts(maglev_table(b, M), 2);
  EXPECT_NEAR(double(count[1]) / count[0], 3.0, 0.03);
}

TEST(MaglevTable, DrainingBackendsOwnNoSlot) {
  auto b = backends(5);
  b[1].weight = 0;
  b[3].weight = 0;
  const auto count = slot_counts(maglev_table(b, M), 5);
  EXPECT_EQ(count[1], 0u);
  EXPECT_EQ(count[3], 0u);
  EXPECT_EQ(count[0] + count[2] + count[4], M);
  for (auto& x : b) x.weight = 0;
  const auto empty = maglev_table(b, M);
  EXPECT_TRUE(std::all_of(empty.begin(), empty.end(), [](uint32_t e) { return e == k_maglev_no_backend; }));
}

// Slots whose owner changed although their old owner survived, as a share of M (the paper's
// disruption: a flow moves only if its backend went away, or, rarely, it was re-shuffled).
double survivor_disruption(uint32_t n, uint32_t removed) {
  const auto b = backends(n);
  const auto before = maglev_table(b, M);
  std::vector<maglev_backend> rest;
  std::vector<uint32_t> original; // rest index -> index in b
  for (uint32_t i = 0; i < n; ++i)
    if (i != removed) {
      rest.push_back(b[i]);
      original.push_back(i);
    }
  const auto after = maglev_table(rest, M);
  uint32_t moved = 0;
  for (uint32_t slot = 0; slot < M; ++slot)
    if (before[slot] != removed && original[after[slot]] != before[slot]) ++moved;
  return double(moved) / M;
}

TEST(MaglevTable, RemovingOneBackendMovesUnderOnePercentOfSlotsBetweenSurvivors) {
  for (const uint32_t n : {2u, 5u, 10u, 100u, 500u, 1000u})
    for (const uint32_t removed : {0u, n / 2, n - 1}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " removed=" + std::to_string(removed));
      EXPECT_LT(survivor_disruption(n, removed), 0.01);
    }
}

// A fixed backend set, 10.0.1.1..10.0.1.10 port 8080 weight 1, M = 65537. These numbers were
// produced once and committed: any process on any machine, on any run, must rebuild exactly this
// table, or two appliances would send the same flow to different backends.
TEST(MaglevTable, GoldenTableIsBitIdenticalAcrossRunsAndProcesses) {
  std::vector<maglev_backend> b;
  for (uint32_t i = 1; i <= 10; ++i)
    b.push_back(maglev_permutation(maglev_identity(addr(0x0a000100 + i), htons(8080)), M, 1));
  const auto table = maglev_table(b, M);
  const std::vector<uint32_t> first32(table.begin(), table.begin() + 32);
  const std::vector<uint32_t> golden_first32 = {1, 0, 5, 5, 0, 8, 3, 8, 6, 7, 6, 3, 5, 1, 8, 9,
                                                5, 3, 3, 6, 5, 6, 3, 7, 0, 1, 9, 9, 1, 8, 6, 1};
  EXPECT_EQ(first32, golden_first32);
  std::vector<uint8_t> le; // the table as little-endian bytes, whatever the host
  for (const uint32_t e : table)
    for (int k = 0; k < 4; ++k) le.push_back(uint8_t(e >> (8 * k)));
  const uint64_t checksum = siphash24(le.data(), le.size(), {0, 0});
  EXPECT_EQ(checksum, 8185209892025943016ULL);
}

TEST(MaglevConfig, TableSizeMustBeAPrimeInRange) {
  const std::string head = "interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }]\n";
  auto size = [&](const std::string& m) {
    return parse_config(head + "dataplane: { maglev_table_size: " + m + " }\n", "t.yaml");
  };
  ASSERT_TRUE(size("65537").cfg);
  EXPECT_EQ(size("65537").cfg->dataplane.maglev_table_size, 65537u);
  EXPECT_EQ(size("251").cfg->dataplane.maglev_table_size, 251u);
  EXPECT_EQ(parse_config(head, "t.yaml").cfg->dataplane.maglev_table_size, 65537u);
  for (const char* bad : {"65536", "1000", "241", "1000033", "0"}) {
    SCOPED_TRACE(bad);
    const auto r = size(bad);
    EXPECT_FALSE(r.cfg);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_NE(r.errors[0].to_string().find("dataplane.maglev_table_size"), std::string::npos);
  }
  EXPECT_TRUE(is_prime(65537));
  EXPECT_TRUE(is_prime(1000003));
  EXPECT_FALSE(is_prime(65535));
}

TEST(MaglevConfig, MhNeedsFewerBackendsThanTableSlots) {
  std::string yaml = "dataplane: { maglev_table_size: 251 }\n"
                     "interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }]\n"
                     "services: [{ name: s, address: 10.0.0.100, port: 80, scheduler: mh, backends: [";
  for (int i = 0; i < 251; ++i) yaml += "{ address: 10.1.0." + std::to_string(i % 250 + 1) + ", port: " + std::to_string(1000 + i) + " },";
  yaml += "] }]\n";
  const auto r = parse_config(yaml, "t.yaml");
  EXPECT_FALSE(r.cfg);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].to_string().find("maglev_table_size"), std::string::npos);
}

} // namespace
} // namespace sluice
