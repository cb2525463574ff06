#pragma once
// The `health_check:` key of a service. Errors go through the config's yaml_reader, so an
// invalid check refuses the whole config (or runtime change) naming the field, e.g.
// "services[0].health_check.timeout_ms: must not exceed interval_ms (2000)".

#include <optional>
#include <string>

#include "control/config/yaml_reader.hpp"
#include "control/health/check_config.hpp"

namespace sluice {

// Reads the check at `field` (`n` must be present) for a service of `proto` (IPPROTO_TCP or
// IPPROTO_UDP) whose port is `service_port` (network byte order; 0: every port). Nullopt after
// reporting every problem.
std::optional<health_check_config> parse_health_check(yaml_reader& r, const YAML::Node& n,
                                                      const std::string& field, uint8_t proto,
                                                      uint16_t service_port);

// The check as the config file writes it (runtime changes round-trip services through YAML).
YAML::Node health_check_yaml(const health_check_config& c);

} // namespace sluice
