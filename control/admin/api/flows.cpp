#include "control/admin/api/flows.hpp"

#include "control/admin/api/decode.hpp"
#include "control/admin/api/endpoints.hpp"
#include "control/admin/query.hpp"

namespace sluice::api {

std::string to_target(const flows_query& q) {
  std::string target = k_flows_path;
  auto add = [&](const char* key, const std::optional<std::string>& value) {
    if (value) append_query(target, key, *value);
  };
  add("name", q.name);
  add("address", q.address);
  add("port", q.port);
  add("protocol", q.protocol);
  add("backend", q.backend);
  add("client", q.client);
  add("limit", q.limit);
  return target;
}

flows_query flows_query_from(const std::map<std::string, std::string>& params) {
  flows_query q;
  for (const auto& [key, value] : params) {
    std::optional<std::string>* slot = key == "name"       ? &q.name
                                       : key == "address"  ? &q.address
                                       : key == "port"     ? &q.port
                                       : key == "protocol" ? &q.protocol
                                       : key == "backend"  ? &q.backend
                                       : key == "client"   ? &q.client
                                       : key == "limit"    ? &q.limit
                                                           : nullptr;
    if (slot == nullptr)
      throw decode_error(key, "unknown parameter (name, address, port, protocol, backend, "
                              "client, limit)");
    *slot = value;
  }
  return q;
}

void to_json(nlohmann::json& j, const flow_entry& v) {
  j = {{"worker", v.worker},
       {"protocol", v.protocol},
       {"state", v.state},
       {"client", v.client},
       {"virtual", v.virtual_},
       {"backend", v.backend},
       {"forwarding", v.forwarding},
       {"service", v.service},
       {"expires_in_ms", v.expires_in_ms}};
}

void from_json(const nlohmann::json& j, flow_entry& v) {
  object_reader r(j, "must be an object");
  v.worker = r.required<uint64_t>("worker");
  v.protocol = r.required<std::string>("protocol");
  v.state = r.required<std::string>("state");
  v.client = r.required<std::string>("client");
  v.virtual_ = r.required<std::string>("virtual");
  v.backend = r.required<std::string>("backend");
  v.forwarding = r.required<std::string>("forwarding");
  v.service = r.required<std::string>("service");
  v.expires_in_ms = r.required<uint64_t>("expires_in_ms");
}

void to_json(nlohmann::json& j, const flow_sample_list& v) {
  j = {{"flows", v.flows}, {"matched", v.matched}, {"truncated", v.truncated}};
}

void from_json(const nlohmann::json& j, flow_sample_list& v) {
  object_reader r(j, "must be an object");
  v.flows = r.required<std::vector<flow_entry>>("flows");
  v.matched = r.required<uint64_t>("matched");
  v.truncated = r.required<bool>("truncated");
}

} // namespace sluice::api
