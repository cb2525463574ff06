#pragma once
// random: a weighted random choice, what kube-proxy's iptables mode does with its
// `statistic --mode random` chain. Each worker owns its generator (xorshift64, Marsaglia 2003):
// no syscall, no lock, nothing shared. The seed is derived from the worker id, so a worker's
// sequence is reproducible (tests rely on it); fairness, not unpredictability, is the goal.

#include <algorithm>
#include <cstdint>
#include <optional>

#include "dataplane/sched/stable_hash.hpp"
#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

class xorshift64 {
public:
  // splitmix64 of the seed: distinct, never-zero states for consecutive worker ids.
  explicit xorshift64(uint64_t seed) noexcept {
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    state_ = (z ^ (z >> 31)) | 1;
  }
  uint64_t next() noexcept {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

private:
  uint64_t state_;
};

// Backend i is picked with probability weight_i / weight_total: a uniform draw in
// [0, weight_total) is located in the service's running weight sums (service_block::weight_prefix)
// by binary search. Returns an index into svc.backends(), or nullopt when every backend drains.
inline std::optional<uint32_t> pick_random(const snapshot_service& svc,
                                           xorshift64& rng) noexcept {
  if (svc.weight_total == 0) return std::nullopt;
  const uint32_t r = reduce_hash(rng.next(), svc.weight_total);
  const auto& prefix = svc.block->weight_prefix;
  return uint32_t(std::upper_bound(prefix.begin(), prefix.end(), r) - prefix.begin());
}

} // namespace sluice
