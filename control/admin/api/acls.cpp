#include "control/admin/api/acls.hpp"

#include "control/admin/api/decode.hpp"

namespace sluice::api {

void to_json(nlohmann::json& j, const acl_rule_report& v) {
  j = {{"name", v.name},
       {"action", v.action},
       {"reply", v.reply},
       {"payload", v.payload},
       {"hits", v.hits}};
}

void from_json(const nlohmann::json& j, acl_rule_report& v) {
  object_reader r(j, "must be an object");
  v.name = r.required<std::string>("name");
  v.action = r.required<std::string>("action");
  v.reply = r.required<std::string>("reply");
  v.payload = r.required<bool>("payload");
  v.hits = r.required<uint64_t>("hits");
}

void to_json(nlohmann::json& j, const acl_set_report& v) {
  j = {{"name", v.name},
       {"default", v.default_action},
       {"default_hits", v.default_hits},
       {"rules", v.rules}};
}

void from_json(const nlohmann::json& j, acl_set_report& v) {
  object_reader r(j, "must be an object");
  v.name = r.required<std::string>("name");
  v.default_action = r.required<std::string>("default");
  v.default_hits = r.required<uint64_t>("default_hits");
  v.rules = r.required<std::vector<acl_rule_report>>("rules");
}

void to_json(nlohmann::json& j, const acl_report& v) {
  j = {{"acls", v.acls}, {"global_acls", v.global_acls}, {"services", v.services}};
  // An empty map would encode as null through the initializer list's conversion.
  if (v.services.empty()) j["services"] = nlohmann::json::object();
}

void from_json(const nlohmann::json& j, acl_report& v) {
  object_reader r(j, "must be an object");
  v.acls = r.required<std::vector<acl_set_report>>("acls");
  v.global_acls = r.required<std::vector<std::string>>("global_acls");
  v.services = r.required<std::map<std::string, std::vector<std::string>>>("services");
}

} // namespace sluice::api
