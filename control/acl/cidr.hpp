#pragma once
// IPv4 CIDR text ("a.b.c.d/len", or a bare address meaning its /32), shared by the config's ACL
// rules and `allowed_sources:` and by Kubernetes' loadBalancerSourceRanges. The caller decides
// what host bits mean: the config refuses them (a typo is likelier than intent), Kubernetes
// masks them as its API server's validation does.

#include <optional>
#include <string_view>

#include "control/acl/acl_config.hpp"

namespace sluice {

struct parsed_cidr {
  ip_prefix prefix;   // host bits cleared
  bool had_host_bits; // the text's address had bits set beyond the prefix length
};

// nullopt when `text` is not an IPv4 CIDR with a length of 0..32.
std::optional<parsed_cidr> parse_ipv4_cidr(std::string_view text) noexcept;

} // namespace sluice
