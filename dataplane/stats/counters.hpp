#pragma once
// Per-worker counters. Each counter has exactly one writer (its worker), so an increment is a
// relaxed load and a relaxed store — a plain add on x86, no locked instruction — and readers on
// the control side see a value that is at most a few packets stale, never torn.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "dataplane/stats/drop_reason.hpp"
#include "dataplane/stats/worker_counter_list.hpp"

namespace sluice {

class counter {
public:
  void add(uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> v_{0};
};

// Traffic through one service or backend, as counted by one worker.
struct traffic_counters {
  counter conns;       // connections scheduled (ipvsadm "Conns")
  counter in_packets;  // client -> backend
  counter in_bytes;
  counter out_packets; // backend -> client
  counter out_bytes;
  counter active;      // TCP flows in ESTABLISHED (ipvsadm ActiveConn)
  counter inactive;    // other tracked flows (ipvsadm InActConn)
};

// One counter per entry of worker_counter_list.hpp, then the drops by reason.
struct alignas(64) worker_counters {
#define SLUICE_X(field, type, metric, help) counter field;
  SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
  counter drops[k_drop_reason_count];

  void drop(drop_reason r, uint64_t n = 1) noexcept { drops[static_cast<std::size_t>(r)].add(n); }
};

// The members in the list's order, for readers that walk every counter (metrics, JSON views).
inline constexpr std::array<counter worker_counters::*, k_worker_counter_count>
    k_worker_counter_members = {
#define SLUICE_X(field, type, metric, help) &worker_counters::field,
        SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
};

// All counters of one worker: its own plus one traffic_counters per service and backend slot.
struct worker_stats {
  static constexpr uint32_t k_default_acl_slots = 65536; // dataplane.max_acl_rules' default

  worker_stats(uint32_t service_slots, uint32_t backend_slots,
               uint32_t acl_slots = k_default_acl_slots)
      : services(std::make_unique<traffic_counters[]>(service_slots)),
        backends(std::make_unique<traffic_counters[]>(backend_slots)),
        acl_hits(std::make_unique<counter[]>(acl_slots)), service_slot_count(service_slots),
        backend_slot_count(backend_slots), acl_slot_count(acl_slots) {}

  worker_counters worker;
  std::unique_ptr<traffic_counters[]> services;
  std::unique_ptr<traffic_counters[]> backends;
  std::unique_ptr<counter[]> acl_hits; // flows decided by each ACL rule or set default
  uint32_t service_slot_count;
  uint32_t backend_slot_count;
  uint32_t acl_slot_count;
};

} // namespace sluice
