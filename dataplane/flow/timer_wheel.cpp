#include "dataplane/flow/timer_wheel.hpp"

#include <algorithm>
#include <bit>

namespace sluice {

timer_geometry timer_geometry::covering(uint64_t tsc_hz, uint64_t horizon_seconds) noexcept {
  // 2^floor(log2 hz) <= hz, so 2^(that - 4) cycles is between 1/32 and 1/16 of a second.
  const unsigned hz_log2 = unsigned(std::bit_width(std::max<uint64_t>(tsc_hz, 32)) - 1);
  const unsigned tick_shift = hz_log2 - 4;
  const uint64_t ticks = (horizon_seconds * tsc_hz >> tick_shift) + 1;
  const unsigned slot_bits =
      std::min<unsigned>(unsigned(std::bit_width(ticks - 1)), k_max_slot_bits);
  return {.tick_shift = tick_shift, .slot_bits = std::max(slot_bits, 1u)};
}

timer_wheel::timer_wheel(timer_link* links, uint32_t capacity, timer_geometry geometry,
                         uint64_t now) noexcept
    : links_(links), capacity_(capacity), geometry_(geometry),
      current_(now >> geometry.tick_shift) {
  const uint64_t n = geometry.links_for(capacity);
  for (uint64_t i = 0; i < n; ++i) links_[i] = {uint32_t(i), uint32_t(i)};
}

void timer_wheel::arm(uint32_t entry, uint64_t deadline) noexcept {
  uint64_t tick = deadline >> geometry_.tick_shift;
  // Slots current_ .. current_ + slots - 1 are distinct; the last of them is the farthest.
  tick = std::clamp(tick, current_, current_ + geometry_.slots() - 1);
  const uint32_t head = head_of(tick);
  // Append at the tail: a slot is processed in arming order.
  const uint32_t tail = links_[head].prev;
  links_[entry] = {head, tail};
  links_[tail].next = entry;
  links_[head].prev = entry;
}

} // namespace sluice
