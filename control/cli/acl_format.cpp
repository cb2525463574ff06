#include "control/cli/acl_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sluice {
namespace {

// "every VIP" for a global set, then the services that list it.
std::string users_of(const api::acl_report& body, const std::string& set) {
  std::vector<std::string> users;
  for (const std::string& g : body.global_acls)
    if (g == set) users.push_back("every VIP (global)");
  for (const auto& [service, sets] : body.services)
    for (const std::string& s : sets)
      if (s == set) users.push_back(service);
  if (users.empty()) return "nothing";
  std::string out;
  for (const std::string& u : users) out += (out.empty() ? "" : ", ") + u;
  return out;
}

} // namespace

std::string format_acls(const api::acl_report& body) {
  if (body.acls.empty()) return "no ACL sets configured\n";
  std::string out;
  std::size_t width = 9; // "(default)"
  for (const api::acl_set_report& set : body.acls)
    for (const api::acl_rule_report& r : set.rules) width = std::max(width, r.name.size());
  for (const api::acl_set_report& set : body.acls) {
    out += fmt::format("Set {} (default {}) applies to: {}\n", set.name, set.default_action,
                       users_of(body, set.name));
    out += fmt::format("  {:<{}} {:<6} {:<5} {:<7} {}\n", "Rule", width, "Action", "Reply",
                       "Payload", "Hits");
    for (const api::acl_rule_report& r : set.rules)
      out += fmt::format("  {:<{}} {:<6} {:<5} {:<7} {}\n", r.name, width, r.action, r.reply,
                         r.payload ? "yes" : "no", r.hits);
    out += fmt::format("  {:<{}} {:<6} {:<5} {:<7} {}\n", "(default)", width, set.default_action,
                       "-", "-", set.default_hits);
  }
  return out;
}

} // namespace sluice
