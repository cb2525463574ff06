#include "control/admin/api/stats.hpp"

#include "control/admin/api/decode.hpp"

namespace sluice::api {

void to_json(nlohmann::json& j, const worker_report& v) {
  j = {{"worker", v.worker}, {"drops", v.drops}};
  for (std::size_t f = 0; f < k_worker_counter_count; ++f)
    if (const std::optional<uint64_t>& n = v.*k_worker_report_counters[f])
      j[std::string(k_worker_counter_infos[f].field)] = *n;
  if (v.running_us) j["running_us"] = *v.running_us;
  if (v.asleep_us) j["asleep_us"] = *v.asleep_us;
}

void from_json(const nlohmann::json& j, worker_report& v) {
  object_reader r(j, "must be an object");
  v.worker = r.required<uint64_t>("worker");
  for (std::size_t f = 0; f < k_worker_counter_count; ++f)
    v.*k_worker_report_counters[f] =
        r.optional<uint64_t>(std::string(k_worker_counter_infos[f].field));
  v.drops = r.required<std::map<std::string, uint64_t>>("drops");
  v.running_us = r.optional<uint64_t>("running_us");
  v.asleep_us = r.optional<uint64_t>("asleep_us");
}

void to_json(nlohmann::json& j, const mempool_report& v) {
  j = {{"name", v.name}, {"size", v.size}, {"in_use", v.in_use}};
}

void from_json(const nlohmann::json& j, mempool_report& v) {
  object_reader r(j, "must be an object");
  v.name = r.required<std::string>("name");
  v.size = r.required<uint64_t>("size");
  v.in_use = r.required<uint64_t>("in_use");
}

void to_json(nlohmann::json& j, const stats_report& v) {
  j = {{"workers", v.workers},
       {"drops", v.drops},
       {"drop_descriptions", v.drop_descriptions},
       {"mempools", v.mempools}};
}

void from_json(const nlohmann::json& j, stats_report& v) {
  object_reader r(j, "must be an object");
  v.workers = r.required<std::vector<worker_report>>("workers");
  v.drops = r.required<std::map<std::string, uint64_t>>("drops");
  v.drop_descriptions = r.required<std::map<std::string, std::string>>("drop_descriptions");
  v.mempools = r.optional<std::vector<mempool_report>>("mempools").value_or(
      std::vector<mempool_report>{});
}

} // namespace sluice::api
