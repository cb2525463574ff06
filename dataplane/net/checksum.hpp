#pragma once
// Incremental Internet checksum updates (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')).
// All values are taken exactly as they sit in the packet (network byte order): the one's
// complement sum is byte-order independent as long as every operand uses the same order.

#include <cstdint>

#include "dataplane/net/unaligned.hpp"

namespace sluice {

constexpr uint16_t csum_fold(uint32_t sum) noexcept {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// Checksum after one 16-bit word of the covered data changed from `from` to `to`.
constexpr uint16_t csum_replace2(uint16_t csum, uint16_t from, uint16_t to) noexcept {
  uint32_t sum = static_cast<uint16_t>(~csum);
  sum += static_cast<uint16_t>(~from);
  sum += to;
  return static_cast<uint16_t>(~csum_fold(sum));
}

// Checksum after one 32-bit field (an IPv4 address) changed from `from` to `to`.
constexpr uint16_t csum_replace4(uint16_t csum, uint32_t from, uint32_t to) noexcept {
  uint32_t sum = static_cast<uint16_t>(~csum);
  sum += static_cast<uint16_t>(~from & 0xffff);
  sum += static_cast<uint16_t>(~from >> 16);
  sum += to & 0xffff;
  sum += to >> 16;
  return static_cast<uint16_t>(~csum_fold(sum));
}

// Several changes at once: add up each field's change (~old + new, unfolded, in 64 bits) and
// fold once, instead of folding after every field (csum_replace2/4 each fold twice).
constexpr uint64_t csum_change4(uint32_t from, uint32_t to) noexcept {
  return uint64_t{static_cast<uint32_t>(~from)} + to;
}
constexpr uint64_t csum_change2(uint16_t from, uint16_t to) noexcept {
  return uint64_t{static_cast<uint16_t>(~from)} + to;
}
constexpr uint16_t csum_apply(uint16_t csum, uint64_t change) noexcept {
  uint64_t sum = static_cast<uint16_t>(~csum) + change;
  sum = (sum & 0xffffffff) + (sum >> 32);
  return static_cast<uint16_t>(~csum_fold(static_cast<uint32_t>((sum & 0xffffffff) + (sum >> 32))));
}

// `word`, as it sits in memory, with its first byte replaced by `value`. Formed in a register:
// reading a word back after storing one of its bytes would wait for the store (a wider load
// cannot be forwarded from a narrower store: ~12 cycles on every forwarded packet).
inline uint16_t with_first_byte(uint16_t word, uint8_t value) noexcept {
  uint8_t bytes[2];
  store(bytes, word);
  bytes[0] = value;
  return load<uint16_t>(bytes);
}

// Writes `value` into the byte at `at`, the first byte of a 16-bit word of the data that the
// checksum stored at `csum` covers, and patches that checksum.
inline void set_byte_patch_checksum(uint8_t* at, uint8_t value, uint8_t* csum) noexcept {
  const uint16_t old_word = load<uint16_t>(at);
  *at = value;
  store(csum, csum_replace2(load<uint16_t>(csum), old_word, with_first_byte(old_word, value)));
}

} // namespace sluice
