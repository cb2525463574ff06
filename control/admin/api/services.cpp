#include "control/admin/api/services.hpp"

#include "control/admin/api/decode.hpp"

namespace sluice::api {

void to_json(nlohmann::json& j, const traffic& v) {
  j = {{"conns", v.conns},
       {"in_packets", v.in_packets},
       {"in_bytes", v.in_bytes},
       {"out_packets", v.out_packets},
       {"out_bytes", v.out_bytes}};
}

void from_json(const nlohmann::json& j, traffic& v) {
  object_reader r(j, "must be an object");
  v.conns = r.required<uint64_t>("conns");
  v.in_packets = r.required<uint64_t>("in_packets");
  v.in_bytes = r.required<uint64_t>("in_bytes");
  v.out_packets = r.required<uint64_t>("out_packets");
  v.out_bytes = r.required<uint64_t>("out_bytes");
}

void to_json(nlohmann::json& j, const backend_health& v) {
  j = {{"state", v.state},
       {"check", v.check},
       {"port", v.port},
       {"streak", v.streak},
       {"checks_passed", v.checks_passed},
       {"checks_failed", v.checks_failed},
       {"transitions", v.transitions},
       {"last_detail", v.last_detail}};
}

void from_json(const nlohmann::json& j, backend_health& v) {
  object_reader r(j, "must be an object");
  v.state = r.required<std::string>("state");
  v.check = r.required<std::string>("check");
  v.port = r.required<uint16_t>("port");
  v.streak = r.required<uint64_t>("streak");
  v.checks_passed = r.required<uint64_t>("checks_passed");
  v.checks_failed = r.required<uint64_t>("checks_failed");
  v.transitions = r.required<uint64_t>("transitions");
  v.last_detail = r.required<std::string>("last_detail");
}

void to_json(nlohmann::json& j, const backend_status& v) {
  j = {{"address", v.address},
       {"port", v.port},
       {"weight", v.weight},
       {"configured_weight", v.configured_weight},
       {"active_conns", v.active_conns},
       {"inactive_conns", v.inactive_conns},
       {"stats", v.stats}};
  if (v.health) j["health"] = *v.health;
}

void from_json(const nlohmann::json& j, backend_status& v) {
  object_reader r(j, "must be an object");
  v.address = r.required<std::string>("address");
  v.port = r.required<uint16_t>("port");
  v.weight = r.required<uint32_t>("weight");
  v.configured_weight = r.required<uint32_t>("configured_weight");
  v.active_conns = r.required<uint64_t>("active_conns");
  v.inactive_conns = r.required<uint64_t>("inactive_conns");
  v.stats = r.required<traffic>("stats");
  v.health = r.optional<backend_health>("health");
}

void to_json(nlohmann::json& j, const service_status& v) {
  j = {{"name", v.name},
       {"protocol", v.protocol},
       {"address", v.address},
       {"port", v.port},
       {"forwarding", v.forwarding},
       {"scheduler", v.scheduler},
       {"persistence_timeout", v.persistence_timeout},
       {"stats", v.stats},
       {"backends", v.backends}};
}

void from_json(const nlohmann::json& j, service_status& v) {
  object_reader r(j, "must be an object");
  v.name = r.required<std::string>("name");
  v.protocol = r.required<std::string>("protocol");
  v.address = r.required<std::string>("address");
  v.port = r.required<uint16_t>("port");
  v.forwarding = r.required<std::string>("forwarding");
  v.scheduler = r.required<std::string>("scheduler");
  v.persistence_timeout = r.required<uint32_t>("persistence_timeout");
  v.stats = r.required<traffic>("stats");
  v.backends = r.required<std::vector<backend_status>>("backends");
}

void to_json(nlohmann::json& j, const service_list& v) { j = {{"services", v.services}}; }

void from_json(const nlohmann::json& j, service_list& v) {
  object_reader r(j, "must be an object");
  v.services = r.required<std::vector<service_status>>("services");
}

} // namespace sluice::api
