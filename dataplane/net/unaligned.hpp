#pragma once
// Loads and stores of header fields at any alignment. DPDK's header structs are packed, so
// references to their fields may be unaligned; memcpy compiles to a plain mov on x86.

#include <cstdint>
#include <cstring>

namespace sluice {

template <typename T>
inline T load(const void* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
inline void store(void* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

} // namespace sluice
