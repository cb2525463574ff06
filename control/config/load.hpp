#pragma once
// Reads and validates a YAML config file (DESIGN.md §3.3). Validation is whole: either the
// config is returned, or every problem found is, each naming the file, line and field path
// ("services[0].backends[1].port") so an operator can fix them all in one pass.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/config/model.hpp"

namespace sluice {

struct config_error {
  std::string file;
  int line; // 1-based; 0 when unknown
  std::string field;
  std::string message;

  // "FILE:LINE: FIELD: MESSAGE"
  std::string to_string() const;
};

struct load_result {
  std::optional<config> cfg;
  std::vector<config_error> errors;
};

load_result parse_config(std::string_view yaml_text, const std::string& file_name);
load_result load_config_file(const std::string& path);

} // namespace sluice
