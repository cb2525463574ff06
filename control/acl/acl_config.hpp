#pragma once
// ACL rule sets as the operator wrote them (top-level `acls:`), validated by control/acl/parse.cpp
// and compiled by control/acl/compile.cpp. Addresses are in network byte order, ports in host
// order (they are compared as ranges).

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/acl/action.hpp"

namespace sluice {


// An IPv4 prefix; the model keeps the family implicit until IPv6 rules are implemented.
struct ip_prefix {
  uint32_t addr; // network byte order, host bits zero
  uint8_t len;

  bool operator==(const ip_prefix&) const = default;
};

struct port_range {
  uint16_t lo; // host byte order, inclusive
  uint16_t hi;

  bool operator==(const port_range&) const = default;
};

struct payload_pattern {
  std::string regex;  // Hyperscan (PCRE subset) syntax
  unsigned flags = 0; // HS_FLAG_* bits the operator asked for (caseless, dotall, ...)

  bool operator==(const payload_pattern&) const = default;
};

struct acl_rule_config {
  std::string name;
  acl_action action = acl_action::deny;
  acl_reply reply = acl_reply::none;  // deny only
  std::vector<ip_prefix> src;         // empty: any source
  std::vector<ip_prefix> dst;         // empty: any destination
  std::vector<port_range> dst_ports;  // empty: any port
  uint8_t proto = 0;                  // IPPROTO_TCP, IPPROTO_UDP, or 0 for both
  std::vector<payload_pattern> payload; // empty: the rule matches on addresses alone

  bool operator==(const acl_rule_config&) const = default;
};

struct acl_set_config {
  std::string name;
  acl_action default_action = acl_action::allow; // when no rule matches
  std::vector<acl_rule_config> rules;            // first match wins

  bool operator==(const acl_set_config&) const = default;
};

std::string_view name_of(acl_action a) noexcept;
std::string_view name_of(acl_reply r) noexcept;

} // namespace sluice
