#pragma once
// The `acls:` section of the config file and the references to its sets (`global_acls:`,
// `services[].acls:`). Errors go through the config's yaml_reader, so they read like every other
// config error: "FILE:LINE: acls[0].rules[2].src: rule \"office\": ..." — the rule's name is in
// the message because an operator looks rules up by name, the field path by position.

#include <string>
#include <vector>

#include "control/acl/acl_config.hpp"
#include "control/config/yaml_reader.hpp"

namespace sluice {

// Appends every set of `list` (a YAML list) to `out`, reporting each problem; when any is
// reported the caller refuses the whole config.
void parse_acl_sets(yaml_reader& r, const YAML::Node& list, std::vector<acl_set_config>& out);

// Reads a CIDR or a list of CIDRs at `field`, with the syntax and checks of a rule's `src:`.
void parse_acl_prefixes(yaml_reader& r, const YAML::Node& n, const std::string& field,
                        std::vector<ip_prefix>& out);

// Reads a list of set names at `field`, each of which must name one of `sets`, none twice.
void parse_acl_refs(yaml_reader& r, const YAML::Node& list, const std::string& field,
                    const std::vector<acl_set_config>& sets, std::vector<std::string>& out);

} // namespace sluice
