#pragma once
// GET /v1/stats: each worker's packet counters and drops by reason, and the drops summed over
// workers with what each reason means (sluicectl stats).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice::api {

// The worker counters as the API names them, X(name): the struct's fields, their JSON keys and
// the documentation all come from this list.
#define SLUICE_API_WORKER_COUNTERS(X)                                                              \
  X(rx_packets)                                                                                    \
  X(tx_packets)                                                                                    \
  X(polls)                                                                                         \
  X(busy_polls)                                                                                    \
  X(flows_active)                                                                                  \
  X(flows_created)                                                                                 \
  X(flows_expired)                                                                                 \
  X(flows_flushed)                                                                                 \
  X(flows_adopted)                                                                                 \
  X(untracked_packets)                                                                             \
  X(handoff_out)                                                                                   \
  X(handoff_in)                                                                                    \
  X(arp_requests_sent)                                                                             \
  X(arp_replies_sent)                                                                              \
  X(arp_replies_received)                                                                          \
  X(icmp_echo_replies)                                                                             \
  X(icmp_errors_forwarded)                                                                         \
  X(icmp_errors_sent)                                                                              \
  X(icmp_errors_rate_limited)                                                                      \
  X(exception_to_kernel)                                                                           \
  X(exception_from_kernel)                                                                         \
  X(garps_sent)                                                                                    \
  X(datagrams_reassembled)                                                                         \
  X(datagrams_fragmented)                                                                          \
  X(fragments_sent)

struct worker_report {
  uint64_t worker = 0; // index, 0..workers-1
#define SLUICE_API_FIELD(name) uint64_t name = 0;
  SLUICE_API_WORKER_COUNTERS(SLUICE_API_FIELD)
#undef SLUICE_API_FIELD
  std::map<std::string, uint64_t> drops; // by reason, every reason listed
  bool operator==(const worker_report&) const = default;
};

struct stats_report {
  std::vector<worker_report> workers;
  std::map<std::string, uint64_t> drops;                 // by reason, summed over workers
  std::map<std::string, std::string> drop_descriptions; // by reason: what it means
  bool operator==(const stats_report&) const = default;
};

void to_json(nlohmann::json& j, const worker_report& v);
void from_json(const nlohmann::json& j, worker_report& v);
void to_json(nlohmann::json& j, const stats_report& v);
void from_json(const nlohmann::json& j, stats_report& v);

} // namespace sluice::api
