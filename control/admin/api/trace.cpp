#include "control/admin/api/trace.hpp"

#include "control/admin/api/decode.hpp"
#include "control/admin/api/endpoints.hpp"
#include "control/admin/query.hpp"

namespace sluice::api {

std::string to_target(const trace_query& q) {
  std::string target = k_trace_path;
  if (q.id) append_query(target, "id", *q.id);
  return target;
}

trace_query trace_query_from(const std::map<std::string, std::string>& params) {
  trace_query q;
  for (const auto& [key, value] : params) {
    if (key != "id") throw decode_error(key, "unknown parameter (id)");
    q.id = value;
  }
  return q;
}

void to_json(nlohmann::json& j, const trace_request& v) {
  j = nlohmann::json::object();
  if (v.vip) j["vip"] = *v.vip;
  if (v.client) j["client"] = *v.client;
  if (v.backend) j["backend"] = *v.backend;
  if (v.drops) j["drops"] = *v.drops;
  if (v.count) j["count"] = *v.count;
  if (v.seconds) j["seconds"] = *v.seconds;
}

void from_json(const nlohmann::json& j, trace_request& v) {
  object_reader r(j, "must be an object");
  v.vip = r.optional<std::string>("vip");
  v.client = r.optional<std::string>("client");
  v.backend = r.optional<std::string>("backend");
  v.drops = r.optional<bool>("drops");
  v.count = r.optional<uint32_t>("count");
  if (v.count && (*v.count == 0 || *v.count > k_max_trace_count))
    throw decode_error("count", "must be an integer in 1.." + std::to_string(k_max_trace_count) +
                                    " (got " + std::to_string(*v.count) + ")");
  v.seconds = r.optional<uint32_t>("seconds");
  if (v.seconds && (*v.seconds == 0 || *v.seconds > k_max_trace_seconds))
    throw decode_error("seconds", "must be an integer in 1.." +
                                      std::to_string(k_max_trace_seconds) + " (got " +
                                      std::to_string(*v.seconds) + ")");
  r.finish();
}

void to_json(nlohmann::json& j, const trace_started& v) { j = {{"id", v.id}}; }

void from_json(const nlohmann::json& j, trace_started& v) {
  object_reader r(j, "must be an object");
  v.id = r.required<uint64_t>("id");
}

void to_json(nlohmann::json& j, const trace_entry& v) {
  j = {{"at_us", v.at_us},
       {"worker", v.worker},
       {"interface", v.interface},
       {"handed_in", v.handed_in},
       {"protocol", v.protocol},
       {"tcp_flags", v.tcp_flags},
       {"source", v.source},
       {"destination", v.destination},
       {"local", v.local},
       {"flow", v.flow},
       {"direction", v.direction},
       {"acl", v.acl},
       {"acl_rule", v.acl_rule},
       {"service", v.service},
       {"scheduler", v.scheduler},
       {"backend", v.backend},
       {"forwarding", v.forwarding},
       {"outcome", v.outcome},
       {"handoff_to", v.handoff_to},
       {"rewritten_source", v.rewritten_source},
       {"rewritten_destination", v.rewritten_destination},
       {"egress", v.egress},
       {"next_hop", v.next_hop},
       {"drop", v.drop}};
}

void from_json(const nlohmann::json& j, trace_entry& v) {
  object_reader r(j, "must be an object");
  v.at_us = r.required<uint64_t>("at_us");
  v.worker = r.required<uint64_t>("worker");
  v.interface = r.required<std::string>("interface");
  v.handed_in = r.required<bool>("handed_in");
  v.protocol = r.required<std::string>("protocol");
  v.tcp_flags = r.required<std::string>("tcp_flags");
  v.source = r.required<std::string>("source");
  v.destination = r.required<std::string>("destination");
  v.local = r.required<bool>("local");
  v.flow = r.required<std::string>("flow");
  v.direction = r.required<std::string>("direction");
  v.acl = r.required<std::string>("acl");
  v.acl_rule = r.required<std::string>("acl_rule");
  v.service = r.required<std::string>("service");
  v.scheduler = r.required<std::string>("scheduler");
  v.backend = r.required<std::string>("backend");
  v.forwarding = r.required<std::string>("forwarding");
  v.outcome = r.required<std::string>("outcome");
  v.handoff_to = r.required<uint64_t>("handoff_to");
  v.rewritten_source = r.required<std::string>("rewritten_source");
  v.rewritten_destination = r.required<std::string>("rewritten_destination");
  v.egress = r.required<std::string>("egress");
  v.next_hop = r.required<std::string>("next_hop");
  v.drop = r.required<std::string>("drop");
}

void to_json(nlohmann::json& j, const trace_batch& v) {
  j = {{"id", v.id}, {"records", v.records}, {"done", v.done}, {"lost", v.lost}};
}

void from_json(const nlohmann::json& j, trace_batch& v) {
  object_reader r(j, "must be an object");
  v.id = r.required<uint64_t>("id");
  v.records = r.required<std::vector<trace_entry>>("records");
  v.done = r.required<bool>("done");
  v.lost = r.required<uint64_t>("lost");
}

} // namespace sluice::api
