#pragma once
// The weighted bucket table of the sh and dh schedulers, built on the control side: like
// IPVS's ip_vs_sh/ip_vs_dh tables, each backend owns a run of buckets, but in exact proportion
// to its weight (largest remainder) rather than one bucket per unit of weight up to 256.

#include <cstdint>
#include <span>
#include <vector>

namespace sluice {

// IPVS uses 256 buckets; 4096 keeps shares within 1/4096 of the weight ratio.
inline constexpr uint32_t k_hash_buckets_min = 4096;

// Buckets for `backends` backends: k_hash_buckets_min, or 16 per backend when there are more
// than 256 of them (a power of two).
uint32_t hash_bucket_count(std::size_t backends) noexcept;

// `bucket_count` entries, each an index into `weights`; weight-0 backends own none. Empty when
// every weight is 0.
std::vector<uint32_t> weighted_buckets(std::span<const uint16_t> weights, uint32_t bucket_count);

} // namespace sluice
