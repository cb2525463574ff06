#pragma once
// SipHash-2-4 (Aumasson & Bernstein) with fixed keys: the one hash that must give the same
// answer in every process, on every run and on every appliance — Maglev permutations are
// derived from it on the control side and flows are mapped to Maglev slots with it in the
// dataplane, so two appliances behind one ECMP group send a flow to the same backend. Input
// bytes are read little-endian explicitly, so the result does not depend on the host either.
// Never seed it at random.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sluice {

struct siphash_key {
  uint64_t k0;
  uint64_t k1;
};

// Distinct fixed keys make independent hash functions (Maglev needs two per backend).
inline constexpr siphash_key k_maglev_offset_key{0x736c756963652d6fULL, 0x66667365742d6b31ULL};
inline constexpr siphash_key k_maglev_skip_key{0x736c756963652d73ULL, 0x6b69702d6b65792dULL};
inline constexpr siphash_key k_flow_hash_key{0x736c756963652d66ULL, 0x6c6f772d6b65792dULL};

namespace detail {
constexpr uint64_t rotl64(uint64_t x, int b) noexcept { return (x << b) | (x >> (64 - b)); }

constexpr void sip_round(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) noexcept {
  v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);
  v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);
}
} // namespace detail

inline uint64_t siphash24(const void* data, std::size_t len, siphash_key key) noexcept {
  const auto* in = static_cast<const uint8_t*>(data);
  uint64_t v0 = 0x736f6d6570736575ULL ^ key.k0;
  uint64_t v1 = 0x646f72616e646f6dULL ^ key.k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ key.k0;
  uint64_t v3 = 0x7465646279746573ULL ^ key.k1;
  auto load_le = [](const uint8_t* p, std::size_t n) noexcept {
    uint64_t m = 0;
    for (std::size_t i = 0; i < n; ++i) m |= uint64_t{p[i]} << (8 * i);
    return m;
  };
  const std::size_t full = len & ~std::size_t{7};
  for (std::size_t i = 0; i < full; i += 8) {
    const uint64_t m = load_le(in + i, 8);
    v3 ^= m;
    detail::sip_round(v0, v1, v2, v3);
    detail::sip_round(v0, v1, v2, v3);
    v0 ^= m;
  }
  const uint64_t b = (uint64_t(len) << 56) | load_le(in + full, len - full);
  v3 ^= b;
  detail::sip_round(v0, v1, v2, v3);
  detail::sip_round(v0, v1, v2, v3);
  v0 ^= b;
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) detail::sip_round(v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}

// Maps a 64-bit hash onto [0, n) by multiply-shift (Lemire): no division on the packet path.
constexpr uint32_t reduce_hash(uint64_t h, uint32_t n) noexcept {
  return uint32_t(((h >> 32) * uint64_t{n}) >> 32);
}

// The hash of a connection's 5-tuple as it appears on the wire (addresses and ports in network
// byte order): client address, client port, VIP, VIP port, protocol.
inline uint64_t flow_tuple_hash(uint32_t client_addr, uint16_t client_port, uint32_t vip,
                                uint16_t vip_port, uint8_t proto) noexcept {
  uint8_t b[13];
  std::memcpy(b, &client_addr, 4);
  std::memcpy(b + 4, &client_port, 2);
  std::memcpy(b + 6, &vip, 4);
  std::memcpy(b + 10, &vip_port, 2);
  b[12] = proto;
  return siphash24(b, sizeof b, k_flow_hash_key);
}

// The hash of one IPv4 address (network byte order), for sh and dh.
inline uint64_t address_hash(uint32_t addr) noexcept {
  return siphash24(&addr, sizeof addr, k_flow_hash_key);
}

} // namespace sluice
