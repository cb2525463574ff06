// What this machine charges for random cache lines, the floor under a flow lookup at scale: an
// established flow costs two random lines (its bucket, its record) from a table far larger than
// the cache. Reads 64-byte lines of a region in random order along k independent chains (k
// loads in flight, as a bulk lookup has) and reports cycles per line for each k, on 2 MiB
// hugepages (as the flow table) and on 4 KiB pages.
//
//   build/perf/memory-floor [--mib 90] [--reads 2000000]
//
// 90 MiB is a 1M-flow table (64 MiB of records + 25.6 MiB of buckets). If hugepages and 4 KiB
// pages cost the same, the host backs the guest with small pages and every random line at this
// size is also a TLB miss with a nested page walk (perf/RESULTS.md).
//
// A second table walks the hugepage region in pairs: two lines in a row from the same 4 KiB
// page, or from the same 2 MiB page but different 4 KiB pages, then a random jump. What a pair
// in one page saves over two random lines is what placing a flow's record in its bucket's page
// would save; whether the 2 MiB pairs save it too says which page size the TLB really holds.

#include <sys/mman.h>
#include <x86intrin.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::size_t k_line = 64;
constexpr unsigned k_max_chains = 64;

struct region {
  char* base = nullptr;
  std::size_t bytes = 0;

  region(std::size_t size, bool huge) : bytes(size) {
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0);
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) return;
    base = static_cast<char*>(p);
    // Without this, transparent huge pages would turn the 4 KiB case into a 2 MiB one.
    if (!huge) madvise(base, bytes, MADV_NOHUGEPAGE);
  }
  ~region() {
    if (base != nullptr) munmap(base, bytes);
  }
  region(const region&) = delete;
  region& operator=(const region&) = delete;
};

// Links every line into one cycle: each line holds the address of the next. The lines go in
// pairs whose two lines share a group of `group_lines` aligned lines (one page), each pair after
// a random one; a group of the whole region makes every line random.
void link(region& r, std::size_t group_lines, std::mt19937_64& rng) {
  const std::size_t lines = r.bytes / k_line;
  std::vector<uint32_t> order(lines);
  std::iota(order.begin(), order.end(), 0u);
  for (std::size_t g = 0; g < lines; g += group_lines)
    std::shuffle(order.begin() + long(g), order.begin() + long(std::min(g + group_lines, lines)), rng);
  if (group_lines < lines) {
    std::vector<uint32_t> pairs(lines / 2);
    std::iota(pairs.begin(), pairs.end(), 0u);
    std::shuffle(pairs.begin(), pairs.end(), rng);
    std::vector<uint32_t> paired;
    paired.reserve(lines);
    for (const uint32_t p : pairs) {
      paired.push_back(order[2 * p]);
      paired.push_back(order[2 * p + 1]);
    }
    order = std::move(paired);
  }
  for (std::size_t i = 0; i < lines; ++i) {
    char* next = r.base + std::size_t(order[(i + 1) % lines]) * k_line;
    std::memcpy(r.base + std::size_t(order[i]) * k_line, &next, sizeof next);
  }
}

// Cycles per line with `chains` dependent-load chains walked side by side.
double cycles_per_line(const region& r, unsigned chains, uint64_t reads) {
  char* at[k_max_chains];
  const std::size_t lines = r.bytes / k_line;
  for (unsigned c = 0; c < chains; ++c) at[c] = r.base + (lines / chains) * c * k_line;
  const uint64_t steps = reads / chains;
  const uint64_t start = __rdtsc();
  for (uint64_t s = 0; s < steps; ++s)
    for (unsigned c = 0; c < chains; ++c)
      std::memcpy(static_cast<void*>(&at[c]), static_cast<const void*>(at[c]), sizeof(char*));
  const uint64_t cycles = __rdtsc() - start;
  uintptr_t keep = 0;
  for (unsigned c = 0; c < chains; ++c) keep ^= reinterpret_cast<uintptr_t>(at[c]);
  if (keep == 1) std::puts(""); // the walk's result is used: it cannot be optimised away
  return double(cycles) / double(steps * chains);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t mib = 90;
  uint64_t reads = 2000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string opt = argv[i];
    if (opt == "--mib") mib = std::strtoull(argv[i + 1], nullptr, 10);
    else if (opt == "--reads") reads = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: memory-floor [--mib 90] [--reads 2000000]\n");
      return 2;
    }
  }
  if (mib == 0 || reads == 0) {
    std::fprintf(stderr, "memory-floor: --mib and --reads must be positive\n");
    return 2;
  }
  const std::size_t bytes = (mib << 20) / (2u << 20) * (2u << 20) + (2u << 20); // whole 2 MiB pages
  std::mt19937_64 rng(1);
  const unsigned chains[] = {1, 2, 4, 8, 16, 32, 64};
  std::printf("random 64-byte lines over %zu MiB, TSC cycles per line (k = loads in flight)\n",
              bytes >> 20);
  std::printf("%-10s", "pages");
  for (unsigned k : chains) std::printf(" k=%-6u", k);
  std::printf("\n");
  for (const bool huge : {true, false}) {
    region r(bytes, huge);
    if (r.base == nullptr) {
      std::printf("%-10s cannot map (%s)\n", huge ? "2MiB" : "4KiB",
                  huge ? "not enough free hugepages" : "out of memory");
      continue;
    }
    link(r, r.bytes / k_line, rng);
    std::printf("%-10s", huge ? "2MiB" : "4KiB");
    for (unsigned k : chains) std::printf(" %-8.1f", cycles_per_line(r, k, reads));
    std::printf("\n");
  }
  region r(bytes, true);
  if (r.base == nullptr) return 0;
  std::printf("\n2 MiB pages, lines in pairs from one page, TSC cycles per line\n");
  std::printf("%-10s", "pair in");
  for (unsigned k : chains) std::printf(" k=%-6u", k);
  std::printf("\n");
  const struct {
    const char* name;
    std::size_t group_bytes;
  } pairings[] = {{"4KiB", 4096}, {"2MiB", 2u << 20}, {"nothing", bytes}};
  for (const auto& p : pairings) {
    link(r, p.group_bytes / k_line, rng);
    std::printf("%-10s", p.name);
    for (unsigned k : chains) std::printf(" %-8.1f", cycles_per_line(r, k, reads));
    std::printf("\n");
  }
  return 0;
}
