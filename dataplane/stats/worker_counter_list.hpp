#pragma once
// Every per-worker counter, listed once. The struct the workers write (counters.hpp), the
// Prometheus families (/metrics), the JSON stats (/v1/stats, `sluicectl stats --json`), the
// `sluicectl stats` table and docs/metrics.md all derive from this list, so a counter added here
// appears everywhere and one left out of any of them fails tests/unit/control/admin counter tests.
// Pure data: no DPDK, no atomics, so the CLI can include it.

#include <array>
#include <cstddef>
#include <string_view>

namespace sluice {

// X(field, type, metric, help): `field` is the struct member and the JSON key; `type` the
// Prometheus type (counter | gauge); `metric` the family name, kept as operators know it.
#define SLUICE_WORKER_COUNTERS(X)                                                                  \
  X(rx_packets, counter, "sluice_worker_rx_packets_total", "Packets received by the worker.")     \
  X(tx_packets, counter, "sluice_worker_tx_packets_total", "Packets transmitted by the worker.")  \
  X(flows_active, gauge, "sluice_worker_flows_active",                                             \
    "Flows in the worker's flow table (occupancy).")                                               \
  X(flows_created, counter, "sluice_worker_flows_created_total", "Flows the worker created.")     \
  X(flows_expired, counter, "sluice_worker_flows_expired_total", "Flows the worker expired.")     \
  X(flows_flushed, counter, "sluice_worker_flows_flushed_total",                                   \
    "Flows the worker erased because the control plane removed their service or backend.")       \
  X(flows_adopted, counter, "sluice_worker_flows_adopted_total",                                   \
    "Flows of Maglev dr/tun services tracked from a mid-connection segment (taken over).")        \
  X(untracked_packets, counter, "sluice_worker_untracked_packets_total",                           \
    "Packets of Maglev dr/tun services forwarded by hash alone because the flow table was full "  \
    "or its half-open flows at dataplane.max_half_open.")                                         \
  X(half_open_flows, gauge, "sluice_worker_half_open_flows",                                       \
    "TCP flows in SYN_RECV (half-open) in the worker's flow table, at most "                       \
    "dataplane.max_half_open.")                                                                    \
  X(half_open_evicted, counter, "sluice_worker_half_open_evicted_total",                           \
    "Half-open flows the worker ended, oldest first, to make room for a new one at "               \
    "dataplane.max_half_open.")                                                                    \
  X(polls, counter, "sluice_worker_polls_total", "Iterations of the worker's poll loop.")         \
  X(busy_polls, counter, "sluice_worker_busy_polls_total",                                         \
    "Poll loop iterations that received at least one packet.")                                     \
  X(wakeups, counter, "sluice_worker_wakeups_total",                                               \
    "Sleeps of the idle worker (dataplane.idle: adaptive), each ended by a wake-up.")             \
  X(handoff_out, counter, "sluice_worker_handoff_out_packets_total",                               \
    "Packets the worker passed to the worker that owns their flow.")                              \
  X(handoff_in, counter, "sluice_worker_handoff_in_packets_total",                                 \
    "Packets other workers passed to this worker because it owns their flow.")                    \
  X(arp_requests_sent, counter, "sluice_worker_arp_requests_sent_total",                           \
    "ARP requests the worker sent.")                                                               \
  X(arp_replies_sent, counter, "sluice_worker_arp_replies_sent_total",                             \
    "ARP replies the worker sent.")                                                                \
  X(arp_replies_received, counter, "sluice_worker_arp_replies_received_total",                     \
    "ARP replies the worker received.")                                                            \
  X(ndp_solicitations_sent, counter, "sluice_worker_ndp_solicitations_sent_total",                 \
    "IPv6 Neighbor Solicitations the worker sent (resolving a next hop).")                        \
  X(ndp_advertisements_sent, counter, "sluice_worker_ndp_advertisements_sent_total",               \
    "IPv6 Neighbor Advertisements the worker sent (answering a solicitation).")                   \
  X(ndp_advertisements_received, counter, "sluice_worker_ndp_advertisements_received_total",       \
    "IPv6 Neighbor Advertisements the worker received and took into its neighbour cache.")        \
  X(icmp_echo_replies, counter, "sluice_worker_icmp_echo_replies_total",                           \
    "ICMP and ICMPv6 echo replies the worker sent.")                                               \
  X(icmp_errors_forwarded, counter, "sluice_worker_icmp_errors_forwarded_total",                   \
    "ICMP errors about tracked flows, translated and passed to the other side.")                  \
  X(icmp_errors_sent, counter, "sluice_worker_icmp_errors_sent_total",                             \
    "ICMP errors the worker originated (time exceeded, fragmentation needed).")                   \
  X(icmp_errors_rate_limited, counter, "sluice_worker_icmp_errors_rate_limited_total",             \
    "ICMP errors the worker did not send because of its rate limit.")                             \
  X(datagrams_reassembled, counter, "sluice_worker_datagrams_reassembled_total",                   \
    "IPv4 datagrams the worker reassembled from their fragments.")                                \
  X(datagrams_fragmented, counter, "sluice_worker_datagrams_fragmented_total",                     \
    "IPv4 datagrams over the egress link MTU the worker sent as fragments.")                      \
  X(fragments_sent, counter, "sluice_worker_fragments_sent_total",                                 \
    "IPv4 fragments the worker made of datagrams over the egress link MTU.")                      \
  X(acl_scans, counter, "sluice_worker_acl_scans_total",                                           \
    "Hyperscan scans of a flow's payload (once per flow and payload set, never per packet).")     \
  X(exception_to_kernel, counter, "sluice_exception_to_kernel_packets_total",                      \
    "Packets the worker handed to an interface's kernel twin (exception path tap).")              \
  X(exception_from_kernel, counter, "sluice_exception_from_kernel_packets_total",                  \
    "Packets the kernel sent on an exception path tap that the worker transmitted.")              \
  X(garps_sent, counter, "sluice_announce_garps_sent_total",                                       \
    "Gratuitous ARPs the worker sent for the L2 announcement (announce.l2).")

struct worker_counter_info {
  std::string_view field;  // struct member and JSON key
  std::string_view type;   // Prometheus type
  std::string_view metric; // Prometheus family
  std::string_view help;
};

inline constexpr std::array k_worker_counter_infos = {
#define SLUICE_X(field, type, metric, help) worker_counter_info{#field, #type, metric, help},
    SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
};

inline constexpr std::size_t k_worker_counter_count = k_worker_counter_infos.size();

} // namespace sluice
