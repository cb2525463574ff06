#pragma once
// GET /v1/acls: the ACL sets, their rules in evaluation order and the flows each decided
// (sluicectl acl list).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice::api {

struct acl_rule_report {
  std::string name;
  std::string action; // "allow" | "deny"
  std::string reply;  // "none" | "rst" | "icmp"
  bool payload = false; // the rule matches payload patterns
  uint64_t hits = 0;    // flows the rule decided, summed over workers
  bool operator==(const acl_rule_report&) const = default;
};

struct acl_set_report {
  std::string name;
  std::string default_action; // JSON "default": "allow" | "deny"
  uint64_t default_hits = 0;  // flows no rule matched
  std::vector<acl_rule_report> rules;
  bool operator==(const acl_set_report&) const = default;
};

struct acl_report {
  std::vector<acl_set_report> acls;
  std::vector<std::string> global_acls; // sets checked for every VIP, in order
  // Service name → its own sets (allowed_sources' set first, then its acls), for services
  // that have any.
  std::map<std::string, std::vector<std::string>> services;
  bool operator==(const acl_report&) const = default;
};

void to_json(nlohmann::json& j, const acl_rule_report& v);
void from_json(const nlohmann::json& j, acl_rule_report& v);
void to_json(nlohmann::json& j, const acl_set_report& v);
void from_json(const nlohmann::json& j, acl_set_report& v);
void to_json(nlohmann::json& j, const acl_report& v);
void from_json(const nlohmann::json& j, acl_report& v);

} // namespace sluice::api
