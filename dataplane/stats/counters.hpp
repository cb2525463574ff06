#pragma once
// Per-worker counters. Each counter has exactly one writer (its worker), so an increment is a
// relaxed load and a relaxed store — a plain add on x86, no locked instruction — and readers on
// the control side see a value that is at most a few packets stale, never torn.

#include <atomic>
#include <cstdint>
#include <memory>

#include "dataplane/stats/drop_reason.hpp"

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

struct alignas(64) worker_counters {
  counter rx_packets;
  counter tx_packets;
  counter arp_replies_sent;
  counter arp_replies_received;
  counter arp_requests_sent;
  counter icmp_echo_replies;
  counter icmp_errors_forwarded; // ICMP errors about tracked flows, translated and passed on
  counter icmp_errors_sent;      // time exceeded and frag-needed the worker originated
  counter icmp_errors_rate_limited; // ... and those the rate limit held back
  counter flows_created;
  counter flows_expired;
  counter flows_flushed; // erased on the control plane's request (service or backend removed)
  counter flows_adopted;   // mh dr/tun: tracked from a mid-connection segment (Maglev takeover)
  counter untracked_packets; // mh dr/tun: forwarded by hash alone because the table was full
  counter flows_active; // flow-table occupancy
  counter datagrams_reassembled; // IPv4 datagrams made whole from their fragments
  counter datagrams_fragmented;  // datagrams over the egress MTU sent as fragments
  counter fragments_sent;        // ... and the fragments they made
  counter handoff_out;  // packets passed to the worker owning their flow
  counter handoff_in;
  counter busy_polls;   // loop iterations that received at least one packet
  counter polls;
  counter acl_scans;    // Hyperscan scans of a flow's payload (at most one per flow and set)
  counter exception_to_kernel;   // packets handed to an interface's kernel twin (tap)
  counter exception_from_kernel; // packets the kernel sent on a tap, transmitted on its port
  counter garps_sent;            // gratuitous ARPs sent for the control plane (announce.l2)
  counter wakeups;   // sleeps of an idle worker (dataplane.idle: adaptive), each ended by a wake-up
  counter asleep_ns; // ... and the time they took
  // CLOCK_MONOTONIC when the worker started polling (0 before): what asleep_ns is a share of.
  std::atomic<uint64_t> running_since_ns{0};
  counter drops[k_drop_reason_count];

  void drop(drop_reason r, uint64_t n = 1) noexcept { drops[static_cast<std::size_t>(r)].add(n); }
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
