#pragma once
// The inverse of the config parser for services: a validated service_config as the YAML node a
// config file would hold. Runtime changes (config/change.hpp) edit this form and feed it back
// through the parser, so they obey exactly the file's rules. Every field of service_config and
// backend_config must be emitted here; the round-trip unit test catches one that is not.

#include <yaml-cpp/yaml.h>

#include <vector>

#include "control/config/model.hpp"

namespace sluice {

YAML::Node to_yaml(const backend_config& b, const service_config& of);
YAML::Node to_yaml(const service_config& s);
YAML::Node to_yaml(const std::vector<service_config>& services);

} // namespace sluice
