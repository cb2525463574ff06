#include "control/cli/acl_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sluice {
namespace {

// "every VIP" for a global set, then the services that list it.
std::string users_of(const nlohmann::json& body, const std::string& set) {
  std::vector<std::string> users;
  // Named copies: iterating items() of a temporary would outlive it.
  const nlohmann::json global = body.value("global_acls", nlohmann::json::array());
  const nlohmann::json services = body.value("services", nlohmann::json::object());
  for (const auto& g : global)
    if (g.get<std::string>() == set) users.push_back("every VIP (global)");
  for (const auto& [service, sets] : services.items())
    for (const auto& s : sets)
      if (s.get<std::string>() == set) users.push_back(service);
  if (users.empty()) return "nothing";
  std::string out;
  for (const std::string& u : users) out += (out.empty() ? "" : ", ") + u;
  return out;
}

} // namespace

std::string format_acls(const nlohmann::json& body) {
  std::string out;
  const nlohmann::json sets = body.value("acls", nlohmann::json::array());
  std::size_t width = 9; // "(default)"
  for (const auto& set : sets)
    for (const auto& r : set["rules"]) width = std::max(width, r["name"].get<std::string>().size());
  for (const auto& set : sets) {
    const std::string name = set["name"].get<std::string>();
    out += fmt::format("Set {} (default {}) applies to: {}\n", name,
                       set["default"].get<std::string>(), users_of(body, name));
    out += fmt::format("  {:<{}} {:<6} {:<5} {:<7} {}\n", "Rule", width, "Action", "Reply",
                       "Payload", "Hits");
    for (const auto& r : set["rules"])
      out += fmt::format("  {:<{}} {:<6} {:<5} {:<7} {}\n", r["name"].get<std::string>(), width,
                         r["action"].get<std::string>(), r["reply"].get<std::string>(),
                         r["payload"].get<bool>() ? "yes" : "no", r["hits"].get<uint64_t>());
    out += fmt::format("  {:<{}} {:<6} {:<5} {:<7} {}\n", "(default)", width,
                       set["default"].get<std::string>(), "-", "-",
                       set["default_hits"].get<uint64_t>());
  }
  if (sets.empty()) out = "no ACL sets configured\n";
  return out;
}

} // namespace sluice
