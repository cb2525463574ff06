#include "control/admin/api/lookup.hpp"

#include "control/admin/api/decode.hpp"
#include "control/admin/api/endpoints.hpp"
#include "control/admin/query.hpp"

namespace sluice::api {

std::string to_target(const lookup_query& q) {
  std::string target = k_lookup_path;
  if (q.protocol) append_query(target, "protocol", *q.protocol);
  if (q.client) append_query(target, "client", *q.client);
  if (q.virtual_) append_query(target, "virtual", *q.virtual_);
  return target;
}

lookup_query lookup_query_from(const std::map<std::string, std::string>& params) {
  lookup_query q;
  for (const auto& [key, value] : params) {
    std::optional<std::string>* slot = key == "protocol" ? &q.protocol
                                       : key == "client" ? &q.client
                                       : key == "virtual" ? &q.virtual_
                                                          : nullptr;
    if (slot == nullptr) throw decode_error(key, "unknown parameter (protocol, client, virtual)");
    *slot = value;
  }
  return q;
}

void to_json(nlohmann::json& j, const new_connection& v) {
  j = {{"scheduler", v.scheduler},
       {"backend", v.backend},
       {"decided_at_arrival", v.decided_at_arrival},
       {"candidates", v.candidates},
       {"affinity_seconds", v.affinity_seconds},
       {"acl", v.acl}};
}

void from_json(const nlohmann::json& j, new_connection& v) {
  object_reader r(j, "must be an object");
  v.scheduler = r.required<std::string>("scheduler");
  v.backend = r.required<std::string>("backend");
  v.decided_at_arrival = r.required<bool>("decided_at_arrival");
  v.candidates = r.required<std::vector<std::string>>("candidates");
  v.affinity_seconds = r.required<uint64_t>("affinity_seconds");
  v.acl = r.required<std::string>("acl");
}

void to_json(nlohmann::json& j, const lookup_reply& v) {
  j = {{"protocol", v.protocol},
       {"client", v.client},
       {"virtual", v.virtual_},
       {"service", v.service},
       {"forwarding", v.forwarding},
       {"flow", v.flow ? nlohmann::json(*v.flow) : nlohmann::json(nullptr)},
       {"new_connection", v.if_new}};
}

void from_json(const nlohmann::json& j, lookup_reply& v) {
  object_reader r(j, "must be an object");
  v.protocol = r.required<std::string>("protocol");
  v.client = r.required<std::string>("client");
  v.virtual_ = r.required<std::string>("virtual");
  v.service = r.required<std::string>("service");
  v.forwarding = r.required<std::string>("forwarding");
  const nlohmann::json* flow = r.find("flow");
  if (flow == nullptr) throw decode_error("flow", "is required");
  if (!flow->is_null()) v.flow = decode_value<flow_entry>(*flow, "flow");
  v.if_new = r.required<new_connection>("new_connection");
}

} // namespace sluice::api
