#pragma once
// The `announce.bgp:` key of the config file (config/README.md), read with the loader's
// error-collecting reader so problems name file, line and field like the rest. Needs the
// interfaces already parsed: BGP peers must sit on one of the appliance's links.

#include "control/config/model.hpp"
#include "control/config/yaml_reader.hpp"

namespace sluice {

// `n` is the value of announce.bgp.
void parse_bgp_announce(yaml_reader& r, const YAML::Node& n,
                        const std::vector<interface_config>& interfaces, bgp_announce_config& b);

} // namespace sluice
