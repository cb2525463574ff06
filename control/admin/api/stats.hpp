#pragma once
// GET /v1/stats: each worker's packet counters and drops by reason, the drops summed over
// workers with what each reason means, and the use of the process's mbuf pools (sluicectl stats).

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/stats/worker_counter_list.hpp"

namespace sluice::api {

// One worker's counters: a field per counter of dataplane/stats/worker_counter_list.hpp (its
// JSON key is the counter's name; docs/metrics.md lists them). A counter the daemon did not send
// (an older sluiced) stays absent rather than reading as a made-up zero.
struct worker_report {
  uint64_t worker = 0; // index, 0..workers-1
#define SLUICE_API_FIELD(field, type, metric, help) std::optional<uint64_t> field;
  SLUICE_WORKER_COUNTERS(SLUICE_API_FIELD)
#undef SLUICE_API_FIELD
  std::map<std::string, uint64_t> drops; // by reason, every reason listed
  // dataplane.idle: adaptive: microseconds since the worker started polling, and of them asleep
  // (durations, not counters: control/admin/idle_share.hpp).
  std::optional<uint64_t> running_us;
  std::optional<uint64_t> asleep_us;
  bool operator==(const worker_report&) const = default;
};

// The counter fields in the order of k_worker_counter_infos.
inline constexpr std::array<std::optional<uint64_t> worker_report::*, k_worker_counter_count>
    k_worker_report_counters = {
#define SLUICE_API_MEMBER(field, type, metric, help) &worker_report::field,
        SLUICE_WORKER_COUNTERS(SLUICE_API_MEMBER)
#undef SLUICE_API_MEMBER
};

// One mempool of the daemon: the packet mbufs (sluice_mbufs), a worker's reassembly buffers or a
// pool a driver made for itself.
// `in_use` is read from the control thread while workers run (rte_mempool_in_use_count): the
// common pool and each lcore's cache are read one after another, so it is a snapshot that can be
// off by what moved meanwhile; mbufs parked in per-lcore caches count as available, mbufs posted
// to RX rings or waiting in TX queues as in use.
struct mempool_report {
  std::string name;
  uint64_t size = 0;   // elements the pool was created with
  uint64_t in_use = 0; // of them, taken out of the pool and its caches
  bool operator==(const mempool_report&) const = default;
};

struct stats_report {
  std::vector<worker_report> workers;
  std::map<std::string, uint64_t> drops;                 // by reason, summed over workers
  std::map<std::string, std::string> drop_descriptions; // by reason: what it means
  std::vector<mempool_report> mempools;                  // empty from an older sluiced
  bool operator==(const stats_report&) const = default;
};

void to_json(nlohmann::json& j, const worker_report& v);
void from_json(const nlohmann::json& j, worker_report& v);
void to_json(nlohmann::json& j, const mempool_report& v);
void from_json(const nlohmann::json& j, mempool_report& v);
void to_json(nlohmann::json& j, const stats_report& v);
void from_json(const nlohmann::json& j, stats_report& v);

} // namespace sluice::api
