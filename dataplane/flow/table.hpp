#pragma once
// A worker's flow table: one rte_hash (no locks: only its worker reads or writes it) mapping both
// the forward and the reply tuple of every flow (only the forward tuple of DR and TUN flows,
// whose replies bypass the gateway) to the flow's slot in a preallocated array.
// Capacity is fixed at start; nothing is allocated on the packet path.

#include <rte_hash.h>

#include <array>
#include <cstdint>
#include <optional>

#include "dataplane/flow/flow.hpp"

namespace sluice {

struct flow_timeouts {
  uint32_t tcp_established = 900;
  uint32_t tcp_syn_recv = 60;
  uint32_t tcp_fin_wait = 120;
  uint32_t tcp_close = 10;
  uint32_t udp = 300;

  bool operator==(const flow_timeouts&) const = default;
};

struct flow_hit {
  uint32_t index;
  flow_dir dir;
};

class flow_table {
public:
  static constexpr unsigned k_max_bulk = RTE_HASH_LOOKUP_BULK_MAX;

  // Throws std::runtime_error when memory cannot be reserved (init time only).
  flow_table(unsigned worker_id, uint32_t capacity, int socket_id, const flow_timeouts& timeouts);
  ~flow_table();
  flow_table(const flow_table&) = delete;
  flow_table& operator=(const flow_table&) = delete;

  // Looks up n <= k_max_bulk keys at once. Returns a bit mask of hits; hits[i] is valid for set
  // bits only.
  uint64_t lookup_bulk(const flow_key* keys, unsigned n, flow_hit* hits) const noexcept;
  std::optional<flow_hit> lookup(const flow_key& key) const noexcept;

  // Inserts both tuples of `f`, whose forward tuple the caller has just looked up in vain.
  // Returns the new index, or -ENOSPC when the table is full, -EEXIST when the reply tuple
  // already belongs to another flow.
  int64_t insert(const flow& f) noexcept;
  void erase(uint32_t index) noexcept;

  flow& at(uint32_t index) noexcept { return flows_[index]; }
  const flow& at(uint32_t index) const noexcept { return flows_[index]; }
  uint32_t size() const noexcept { return capacity_ - free_count_; }
  uint32_t capacity() const noexcept { return capacity_; }
  // Idle time after which a flow in state `s` expires.
  uint64_t timeout_tsc(flow_state s) const noexcept {
    return timeout_tsc_[static_cast<std::size_t>(s)];
  }

  // Examines up to `budget` slots from where the last call stopped and erases the flows idle
  // past their state's timeout, calling on_expire(flow&) before each erase. Bounded work per
  // call keeps the worker loop's latency flat however large the table is.
  template <typename OnExpire>
  unsigned expire(uint64_t now, unsigned budget, OnExpire&& on_expire) noexcept {
    unsigned expired = 0;
    for (unsigned i = 0; i < budget; ++i) {
      const uint32_t idx = cursor_;
      cursor_ = cursor_ + 1 == capacity_ ? 0 : cursor_ + 1;
      flow& f = flows_[idx];
      if (f.state == flow_state::free) continue;
      if (now - f.last_seen < timeout_tsc_[static_cast<std::size_t>(f.state)]) continue;
      on_expire(f);
      erase(idx);
      ++expired;
    }
    return expired;
  }

private:
  rte_hash* hash_ = nullptr;
  flow* flows_ = nullptr;
  uint32_t* free_stack_ = nullptr;
  uint32_t capacity_;
  uint32_t free_count_;
  uint32_t cursor_ = 0;
  std::array<uint64_t, static_cast<std::size_t>(flow_state::count_)> timeout_tsc_{};
};

} // namespace sluice
