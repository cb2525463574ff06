#pragma once
// The address families a packet can belong to. Stages that depend on the family branch on it
// once, at the seam (parse, local addresses, rewrite, neighbour resolution); the rest of the
// pipeline carries it along.

#include <cstdint>

namespace sluice {

enum class addr_family : uint8_t { ipv4 = 4 };

} // namespace sluice
