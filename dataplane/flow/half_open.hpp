#pragma once
// A worker's half-open flows (TCP flows in SYN_RECV) in the order they were inserted, so that the
// oldest can be evicted when a SYN flood fills them up to dataplane.max_half_open
// (flow/half_open_limit.hpp). An intrusive doubly linked list over flow slots: each slot costs one
// 8-byte link kept beside the table's records, never inside them, and every operation is O(1)
// with nothing allocated after construction (the owner hands in the link storage, as it does
// for its timer wheel).
//
// Removal is eager: a flow leaves the list the moment it leaves SYN_RECV (established, reset,
// finished) or the table. A lazy FIFO that skipped stale entries at eviction would need a
// generation per slot to tell a flow from a later one in the same slot, and would keep growing
// with the stale entries of every handshake that completed while nothing was evicted.

#include <rte_prefetch.h>

#include <cstdint>

namespace sluice {

struct half_open_link {
  uint32_t next; // towards the newest
  uint32_t prev; // towards the oldest
};
static_assert(sizeof(half_open_link) == 8);

class half_open_list {
public:
  static constexpr uint32_t k_none = UINT32_MAX;

  // Links the storage handed to the list must hold for slots 0..capacity-1: one per slot and
  // the list's head.
  static constexpr uint64_t links_for(uint32_t capacity) noexcept { return uint64_t{capacity} + 1; }

  // `links` holds links_for(capacity) elements and outlives the list. The list starts empty.
  half_open_list(half_open_link* links, uint32_t capacity) noexcept;
  half_open_list(const half_open_list&) = delete;
  half_open_list& operator=(const half_open_list&) = delete;

  // Appends `slot` (not in the list) as the newest half-open flow.
  void push(uint32_t slot) noexcept {
    half_open_link& head = links_[head_];
    links_[slot] = {.next = head_, .prev = head.prev};
    links_[head.prev].next = slot;
    head.prev = slot;
    ++size_;
  }
  // Takes `slot` out of the list; harmless when it is not in it.
  void remove(uint32_t slot) noexcept {
    half_open_link& l = links_[slot];
    if (l.next == slot) return;
    links_[l.prev].next = l.next;
    links_[l.next].prev = l.prev;
    l = {slot, slot};
    --size_;
  }
  bool contains(uint32_t slot) const noexcept { return links_[slot].next != slot; }

  // The slot of the oldest half-open flow, k_none when there is none.
  uint32_t oldest() const noexcept {
    const uint32_t first = links_[head_].next;
    return first == head_ ? k_none : first;
  }
  uint32_t size() const noexcept { return size_; }

  // Starts the load of `slot`'s link, for a remove() a while later.
  void prefetch(uint32_t slot) const noexcept { rte_prefetch0(&links_[slot]); }

private:
  half_open_link* links_;
  uint32_t head_; // the sentinel's index (capacity): its next is the oldest, its prev the newest
  uint32_t size_ = 0;
};

} // namespace sluice
