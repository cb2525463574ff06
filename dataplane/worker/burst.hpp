#pragma once
// The unit of work of a worker: up to k_burst packets received, processed and sent together.

namespace sluice {

inline constexpr unsigned k_burst = 32;

} // namespace sluice
