#pragma once
// Reads and validates a YAML config file (config/README.md). Validation is whole: either the
// config is returned, or every problem found is, each naming the file, line and field path
// ("services[0].backends[1].port") so an operator can fix them all in one pass.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/config/model.hpp"

namespace YAML {
class Node;
}

namespace sluice {

struct config_error {
  std::string file;
  int line; // 1-based; 0 when unknown
  std::string field;
  std::string message;

  // "FILE:LINE: FIELD: MESSAGE"; "FIELD: MESSAGE" when there is no file (runtime changes).
  std::string to_string() const;
};

struct load_result {
  std::optional<config> cfg;
  std::vector<config_error> errors;
};

load_result parse_config(std::string_view yaml_text, const std::string& file_name);
load_result load_config_file(const std::string& path);

// Runtime changes (admin API): `base` with its services replaced by `services`, a YAML list in
// the config file's `services:` shape (JSON is YAML), validated with exactly the file's rules
// against base's interfaces and dataplane limits. Errors carry no file or line, and name
// services by name where they have one: "services[web].backends[1].weight".
load_result with_services(const config& base, const YAML::Node& services);

struct service_result {
  std::optional<service_config> service;
  std::vector<config_error> errors;
};

// Runtime changes to one service: `service` (the file's shape) validated with the file's rules
// against base's interfaces, limits and every other service — all of them but
// base.services[*replacing] when it replaces one. Costs one service's parse plus a scan of the
// others' identities, however large the config is.
service_result validate_service(const config& base, const YAML::Node& service,
                                std::optional<std::size_t> replacing);

} // namespace sluice
