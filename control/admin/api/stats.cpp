#include "control/admin/api/stats.hpp"

#include "control/admin/api/decode.hpp"

namespace sluice::api {

void to_json(nlohmann::json& j, const worker_report& v) {
  j = {{"worker", v.worker}, {"drops", v.drops}};
#define SLUICE_API_ENCODE(name) j[#name] = v.name;
  SLUICE_API_WORKER_COUNTERS(SLUICE_API_ENCODE)
#undef SLUICE_API_ENCODE
}

void from_json(const nlohmann::json& j, worker_report& v) {
  object_reader r(j, "must be an object");
  v.worker = r.required<uint64_t>("worker");
#define SLUICE_API_DECODE(name) v.name = r.required<uint64_t>(#name);
  SLUICE_API_WORKER_COUNTERS(SLUICE_API_DECODE)
#undef SLUICE_API_DECODE
  v.drops = r.required<std::map<std::string, uint64_t>>("drops");
}

void to_json(nlohmann::json& j, const stats_report& v) {
  j = {{"workers", v.workers}, {"drops", v.drops}, {"drop_descriptions", v.drop_descriptions}};
}

void from_json(const nlohmann::json& j, stats_report& v) {
  object_reader r(j, "must be an object");
  v.workers = r.required<std::vector<worker_report>>("workers");
  v.drops = r.required<std::map<std::string, uint64_t>>("drops");
  v.drop_descriptions = r.required<std::map<std::string, std::string>>("drop_descriptions");
}

} // namespace sluice::api
