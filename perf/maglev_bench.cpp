// Maglev table build time (control/snapshot/maglev.cpp) for M = 65537 (or --table-size) with
// 10, 100 and 1000 backends: permutations from the identities plus population, as
// compile_snapshot() does for an mh service. Also reports the balance (max - min slots) and
// the share of slots that change hands between survivors when one backend is removed.
//
//   build-sched/perf/maglev-bench [--runs N] [--table-size M]

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "control/snapshot/maglev.hpp"

namespace {

using namespace sluice;

std::vector<maglev_backend> permutations(uint32_t n, uint32_t m) {
  std::vector<maglev_backend> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i)
    out.push_back(maglev_permutation(maglev_identity(htonl(0x0a010000 + i + 1), htons(8080)), m, 1));
  return out;
}

double survivor_disruption(const std::vector<maglev_backend>& b, uint32_t m) {
  const auto before = maglev_table(b, m);
  const uint32_t removed = uint32_t(b.size() / 2);
  std::vector<maglev_backend> rest = b;
  rest.erase(rest.begin() + removed);
  const auto after = maglev_table(rest, m);
  uint32_t moved = 0;
  for (uint32_t s = 0; s < m; ++s) {
    if (before[s] == removed) continue;
    const uint32_t owner = after[s] >= removed ? after[s] + 1 : after[s];
    if (owner != before[s]) ++moved;
  }
  return double(moved) / m;
}

} // namespace

int main(int argc, char** argv) {
  int runs = 31;
  uint32_t m = k_maglev_default_table_size;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--table-size")) m = uint32_t(std::atoi(argv[i + 1]));
  }
  if (!is_prime(m) || runs < 1) {
    std::fprintf(stderr, "usage: maglev-bench [--runs N] [--table-size PRIME]\n");
    return 2;
  }
  std::printf("M=%u, %d runs, median (min..max) of permutations + population\n", m, runs);
  std::printf("%9s %12s %12s %12s %10s %14s\n", "backends", "median_ms", "min_ms", "max_ms",
              "max-min", "disruption_%");
  for (const uint32_t n : {10u, 100u, 1000u}) {
    std::vector<double> ms;
    std::vector<uint32_t> table;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto perms = permutations(n, m);
      table = maglev_table(perms, m);
      const auto t1 = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::vector<uint32_t> count(n, 0);
    for (const uint32_t e : table) ++count[e];
    const auto [lo, hi] = std::minmax_element(count.begin(), count.end());
    std::printf("%9u %12.3f %12.3f %12.3f %10u %14.3f\n", n, ms[ms.size() / 2], ms.front(),
                ms.back(), *hi - *lo, 100 * survivor_disruption(permutations(n, m), m));
  }
  return 0;
}
