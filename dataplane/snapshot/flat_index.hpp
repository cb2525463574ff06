#pragma once
// A read-only open-addressing map from a non-zero 64-bit key to a 32-bit value, built once on the
// control side and then only read by workers: lookups are allocation-free, lock-free and touch one
// or two cache lines. Rebuilding it is the control plane's job (a snapshot is never edited).

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace sluice {

class flat_index {
public:
  static constexpr uint32_t k_absent = UINT32_MAX;

  flat_index() : slots_(1), mask_(0) {}

  // Builds from (key, value) pairs; keys must be non-zero and distinct.
  explicit flat_index(const std::vector<std::pair<uint64_t, uint32_t>>& entries) {
    // Load factor <= 0.5 keeps linear probes short.
    const std::size_t size = std::bit_ceil(std::max<std::size_t>(2 * entries.size(), 8));
    slots_.assign(size, slot{});
    mask_ = size - 1;
    for (const auto& [key, value] : entries) {
      std::size_t i = hash(key) & mask_;
      while (slots_[i].key != 0) i = (i + 1) & mask_;
      slots_[i] = {key, value};
    }
  }

  uint32_t find(uint64_t key) const noexcept {
    for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return slots_[i].value;
      if (slots_[i].key == 0) return k_absent;
    }
  }

private:
  struct slot {
    uint64_t key = 0;
    uint32_t value = k_absent;
  };

  static std::size_t hash(uint64_t key) noexcept {
    // Fibonacci hashing: multiply by 2^64/phi and keep the high bits.
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> 32);
  }

  std::vector<slot> slots_;
  std::size_t mask_;
};

} // namespace sluice
