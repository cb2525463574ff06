#include "control/acl/acl_config.hpp"

namespace sluice {

std::string_view name_of(acl_action a) noexcept { return a == acl_action::allow ? "allow" : "deny"; }

std::string_view name_of(acl_reply r) noexcept {
  switch (r) {
  case acl_reply::none: return "none";
  case acl_reply::rst: return "rst";
  case acl_reply::icmp: return "icmp";
  }
  return "?";
}

} // namespace sluice
