#pragma once
// dataplane.max_half_open: a worker keeps at most that many half-open flows (TCP SYN_RECV). A
// flood of spoofed SYNs, whose handshakes never complete, then holds a bounded share of the flow
// table instead of all of it; established flows are never evicted. At the cap a new half-open
// flow takes the place of the oldest one, which has waited longest for its client's ACK — a real
// client's flow lives max_half_open / (SYNs per second) seconds before it is evicted, much longer
// than a handshake takes. Maglev dr/tun flows are not tracked at the cap at all: their later
// packets go to the same backend by hash alone, as with a full table, and nothing is evicted.

#include <cstdint>

#include "dataplane/flow/ledger.hpp"
#include "dataplane/flow/table.hpp"

namespace sluice {

class half_open_limit {
public:
  // `max` >= 1. At the table's capacity half-open flows may fill the table, and a new one evicts
  // the oldest only when every flow is half-open; above it, nothing is ever evicted.
  explicit half_open_limit(uint32_t max) noexcept : max_(max) {}

  // Before a new flow in SYN_RECV is inserted into `flows`: true when it may be inserted, below
  // the cap or once the oldest half-open flow was evicted (accounted in `ledger`) to make room;
  // false at the cap when `untracked_ok` (a Maglev dr/tun flow), which is then forwarded
  // untracked. The eviction comes before the insert so that a full table still admits the new
  // flow; an insert that then fails for another reason (a reply tuple in use) leaves one
  // half-open flow fewer, which only a flood at the cap can cause.
  bool admit(flow_table& flows, flow_ledger& ledger, bool untracked_ok) noexcept {
    if (flows.half_open() < max_) return true;
    if (untracked_ok) return false;
    evict_oldest(flows, ledger);
    return true;
  }

  uint32_t max() const noexcept { return max_; }

private:
  static void evict_oldest(flow_table& flows, flow_ledger& ledger) noexcept;

  uint32_t max_;
};

} // namespace sluice
