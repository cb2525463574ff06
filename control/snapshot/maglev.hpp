#pragma once
// Maglev lookup tables (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
// Balancer", NSDI'16, §3.4), built on the control side and published flat in the snapshot so
// that a worker does one indexed load per new flow (dataplane/sched/maglev.hpp).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

inline constexpr uint32_t k_maglev_default_table_size = 65537;
inline constexpr uint32_t k_maglev_min_table_size = 251;
inline constexpr uint32_t k_maglev_max_table_size = 1000003;
// Marks a slot no backend owns: only when every backend has weight 0.
inline constexpr uint32_t k_maglev_no_backend = UINT32_MAX;

// A backend's permutation of the table — slot j of its preference list is
// (offset + j * skip) mod M — and its weight.
struct maglev_backend {
  uint32_t offset; // in [0, M)
  uint32_t skip;   // in [1, M)
  uint32_t weight; // 0: owns no slot
};

bool is_prime(uint64_t n) noexcept;

// The backend's identity as Maglev hashes it: "address:port", e.g. "10.0.1.11:8080". Never its
// position in a list, so that adding or removing another backend leaves its permutation alone.
// `addr` and `port` in network byte order.
std::string maglev_identity(uint32_t addr, uint16_t port);

// offset = h1(identity) mod M, skip = h2(identity) mod (M - 1) + 1, with h1 and h2 SipHash-2-4
// under two fixed keys: the same on every run, process and appliance. `table_size` must be
// prime (then every skip generates a full permutation).
maglev_backend maglev_permutation(std::string_view identity, uint32_t table_size,
                                  uint32_t weight) noexcept;

// The paper's population (Pseudocode 1) with weights by credit: in every round each backend
// earns its weight in credit and claims its next preferred free slot while it holds at least
// the largest weight in credit, so backends own slots in proportion to their weights (equal
// weights: counts differ by at most one). Returns M entries, each an index into `backends`, or
// all k_maglev_no_backend when no backend has a weight. `table_size` must be prime and every
// permutation built for it.
std::vector<uint32_t> maglev_table(std::span<const maglev_backend> backends, uint32_t table_size);

} // namespace sluice
