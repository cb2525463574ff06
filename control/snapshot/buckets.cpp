#include "control/snapshot/buckets.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

namespace sluice {

uint32_t hash_bucket_count(std::size_t backends) noexcept {
  return std::max<uint32_t>(k_hash_buckets_min, std::bit_ceil(uint32_t(backends) * 16u));
}

std::vector<uint32_t> weighted_buckets(std::span<const uint16_t> weights, uint32_t bucket_count) {
  const uint64_t total = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  if (total == 0) return {};
  // Largest remainder: everyone gets the floor of its share, the leftovers go to the largest
  // fractional parts (first backend first on ties), so shares are exact to one bucket.
  std::vector<uint32_t> count(weights.size());
  std::vector<std::pair<uint64_t, std::size_t>> remainder;
  uint32_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const uint64_t share = uint64_t{weights[i]} * bucket_count;
    count[i] = uint32_t(share / total);
    given += count[i];
    if (weights[i] > 0) remainder.emplace_back(share % total, i);
  }
  std::stable_sort(remainder.begin(), remainder.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < bucket_count; ++k, ++given) ++count[remainder[k].second];

  std::vector<uint32_t> table;
  table.reserve(bucket_count);
  for (std::size_t i = 0; i < weights.size(); ++i) table.insert(table.end(), count[i], uint32_t(i));
  return table;
}

} // namespace sluice
