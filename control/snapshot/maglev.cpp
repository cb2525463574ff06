#include "control/snapshot/maglev.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "dataplane/net/ipv4.hpp"
#include "dataplane/sched/stable_hash.hpp"

namespace sluice {

bool is_prime(uint64_t n) noexcept {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2)
    if (n % d == 0) return false;
  return true;
}

std::string maglev_identity(uint32_t addr, uint16_t port) {
  return format_ipv4(addr) + ":" + std::to_string(ntohs(port));
}

maglev_backend maglev_permutation(std::string_view identity, uint32_t table_size,
                                  uint32_t weight) noexcept {
  const uint64_t h1 = siphash24(identity.data(), identity.size(), k_maglev_offset_key);
  const uint64_t h2 = siphash24(identity.data(), identity.size(), k_maglev_skip_key);
  return {.offset = uint32_t(h1 % table_size),
          .skip = uint32_t(h2 % (table_size - 1) + 1),
          .weight = weight};
}

std::vector<uint32_t> maglev_table(std::span<const maglev_backend> backends,
                                   uint32_t table_size) {
  std::vector<uint32_t> entry(table_size, k_maglev_no_backend);
  uint32_t max_weight = 0;
  for (const maglev_backend& b : backends) max_weight = std::max(max_weight, b.weight);
  if (max_weight == 0 || table_size == 0) return entry;

  // next[i] is the backend's current position in its permutation, kept as a slot number so
  // that advancing is an add and a conditional subtract instead of a multiply and a modulo.
  std::vector<uint32_t> next(backends.size());
  std::vector<uint64_t> credit(backends.size(), 0);
  for (std::size_t i = 0; i < backends.size(); ++i) next[i] = backends[i].offset;
  uint32_t filled = 0;
  for (;;) {
    for (std::size_t i = 0; i < backends.size(); ++i) {
      const maglev_backend& b = backends[i];
      credit[i] += b.weight;
      if (credit[i] < max_weight) continue;
      credit[i] -= max_weight;
      // M is prime, so the permutation visits every slot: a free one is always found.
      uint32_t c = next[i];
      while (entry[c] != k_maglev_no_backend) {
        c += b.skip;
        if (c >= table_size) c -= table_size;
      }
      entry[c] = uint32_t(i);
      c += b.skip;
      next[i] = c >= table_size ? c - table_size : c;
      if (++filled == table_size) return entry;
    }
  }
}

} // namespace sluice
