#pragma once
// `announce.l2` and each interface's `exception_path:` (config/README.md; announce.bgp is in
// load_bgp.hpp), read with the loader's error-collecting reader so problems name file, line and
// field like the rest.

#include <string>
#include <string_view>
#include <vector>

#include "control/config/model.hpp"
#include "control/config/yaml_reader.hpp"

namespace sluice {

// `announce.l2` (`n` is its value).
void parse_l2_announce(yaml_reader& r, const YAML::Node& n,
                       std::optional<l2_announce_config>& out);

// `interfaces[i].exception_path` (`f` names it). Nullopt when it has errors (reported).
std::optional<exception_path_config> parse_exception_path(yaml_reader& r, const YAML::Node& n,
                                                          const std::string& f);

// Checks across interfaces, once all are read: tap names unique, and none equal to a kernel
// interface that a DPDK device of the config already owns (af_packet/af_xdp `iface=`).
void check_exception_paths(yaml_reader& r, const YAML::Node& list,
                           const std::vector<interface_config>& ifaces);

// Why `name` cannot be a tap's name (empty when it can): a Linux interface name (1..15 bytes,
// no '/', ':', whitespace or control characters, not "." or "..") without ',' or '=' (devargs).
std::string linux_ifname_problem(std::string_view name);

} // namespace sluice
