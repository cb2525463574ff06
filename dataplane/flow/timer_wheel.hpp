#pragma once
// A hashed timing wheel over a fixed set of entries 0..capacity-1 (flow slots, affinity template
// positions). Each entry costs one 8-byte link kept beside the owner's records, never inside
// them; each slot costs one more (the slot's list head). Nothing is allocated or locked after
// construction: the caller hands in the link storage.
//
// Entries are armed at a deadline, not at every packet: an owner refreshes its record's own
// timestamp on the packet path and does no wheel work there. When an entry's slot comes due,
// advance() asks the owner whether the entry is really expired (it releases it) or when it is
// due now (advance re-arms it there). A deadline beyond the horizon parks the entry in the
// farthest slot, from which it is re-armed the same way.
//
// Slot t holds deadlines in [t << tick_shift, (t + 1) << tick_shift) and is processed once `now`
// has left that interval, so an entry is seen no earlier than its deadline and at most one tick
// plus the backlog after it.

#include <cstdint>
#include <optional>

namespace sluice {

// The horizon the worker's wheels cover at least: the longest default flow timeout
// (tcp_established, 900 s).
inline constexpr uint64_t k_wheel_horizon_seconds = 900;

// One node of the intrusive circular lists. Entries and slot heads share one index space
// (entries first, then heads), so unlinking needs neither the slot number nor a branch on
// "is this the head". An entry that is not armed links to itself.
struct timer_link {
  uint32_t next;
  uint32_t prev;
};
static_assert(sizeof(timer_link) == 8);

struct timer_geometry {
  unsigned tick_shift; // a tick is 2^tick_shift TSC cycles
  unsigned slot_bits;  // the wheel has 2^slot_bits slots

  // The geometry for a TSC of `tsc_hz`: ticks of 1/32 to 1/16 s (a power of two cycles, so a
  // deadline's slot is a shift) and the fewest slots whose horizon reaches `horizon_seconds`,
  // at most 2^k_max_slot_bits (longer deadlines are re-armed from the farthest slot).
  static timer_geometry covering(uint64_t tsc_hz, uint64_t horizon_seconds) noexcept;
  static constexpr unsigned k_max_slot_bits = 17;

  uint32_t slots() const noexcept { return uint32_t{1} << slot_bits; }
  uint64_t tick_cycles() const noexcept { return uint64_t{1} << tick_shift; }
  // Links the storage handed to timer_wheel must hold for `capacity` entries.
  uint64_t links_for(uint32_t capacity) const noexcept { return uint64_t{capacity} + slots(); }
};

class timer_wheel {
public:
  // `links` holds geometry.links_for(capacity) elements and outlives the wheel. Every entry
  // starts unarmed; ticks before `now` are considered processed.
  timer_wheel(timer_link* links, uint32_t capacity, timer_geometry geometry,
              uint64_t now) noexcept;
  timer_wheel(const timer_wheel&) = delete;
  timer_wheel& operator=(const timer_wheel&) = delete;

  // Arms an unarmed entry to be examined at `deadline` (TSC): in its slot when that is within
  // the horizon, in the farthest slot when beyond, in the next slot due when already past.
  void arm(uint32_t entry, uint64_t deadline) noexcept;
  // Moves an armed (or unarmed) entry to `deadline`, e.g. when its timeout became shorter.
  void rearm(uint32_t entry, uint64_t deadline) noexcept {
    disarm(entry);
    arm(entry, deadline);
  }
  // O(1) removal; harmless on an unarmed entry.
  void disarm(uint32_t entry) noexcept {
    timer_link& l = links_[entry];
    links_[l.prev].next = l.next;
    links_[l.next].prev = l.prev;
    l = {entry, entry};
  }
  bool armed(uint32_t entry) const noexcept { return links_[entry].next != entry; }

  // Processes due slots in tick order, at most `budget` units of work: one per entry examined
  // and one per slot passed. Resumes where the previous call stopped (mid-slot if need be), so
  // a wheel that fell behind catches up over later calls and never skips a slot.
  // decide(entry) is called with the entry already disarmed and returns std::nullopt when the
  // owner released it (expired), or the entry's real deadline to re-arm it there. decide may
  // arm or disarm any entry, including this one. Returns the number of entries released.
  template <typename Decide>
  unsigned advance(uint64_t now, unsigned budget, Decide&& decide) noexcept {
    unsigned released = 0;
    for (uint32_t entry; (entry = take_due(now, budget)) != k_none;) {
      if (const std::optional<uint64_t> deadline = decide(entry))
        arm(entry, *deadline);
      else
        ++released;
    }
    return released;
  }

  static constexpr uint32_t k_none = UINT32_MAX;
  // advance()'s steps one at a time, for an owner that decides on several due entries together
  // (and so overlaps their records' loads): the next due entry, disarmed — the owner re-arms it
  // or releases it — or k_none once `budget` (decremented by each unit of work, as advance()
  // counts them) is spent or the wheel has caught up with `now`.
  uint32_t take_due(uint64_t now, unsigned& budget) noexcept {
    const uint64_t due_end = now >> geometry_.tick_shift; // slots before this tick are due
    while (budget != 0 && current_ < due_end) {
      --budget;
      const uint32_t head = head_of(current_);
      const uint32_t entry = links_[head].next;
      if (entry == head) {
        ++current_;
        continue;
      }
      disarm(entry);
      return entry;
    }
    return k_none;
  }

  // Ticks not yet processed up to `now` (0 when caught up).
  uint64_t backlog_ticks(uint64_t now) const noexcept {
    const uint64_t due_end = now >> geometry_.tick_shift;
    return due_end > current_ ? due_end - current_ : 0;
  }
  const timer_geometry& geometry() const noexcept { return geometry_; }
  // Cycles from the first unprocessed tick to the farthest slot.
  uint64_t horizon_cycles() const noexcept {
    return uint64_t{geometry_.slots()} << geometry_.tick_shift;
  }

private:
  uint32_t head_of(uint64_t tick) const noexcept {
    return capacity_ + uint32_t(tick & (geometry_.slots() - 1));
  }

  timer_link* links_;
  uint32_t capacity_;
  timer_geometry geometry_;
  uint64_t current_; // the first tick not processed yet
};

} // namespace sluice
