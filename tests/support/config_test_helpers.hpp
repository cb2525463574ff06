#pragma once
// What the config tests share: edit a known-good YAML text in one place, and read back the
// refusal of a config that has exactly one problem.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "control/config/load.hpp"

namespace sluice {

// `text` with the first occurrence of `from` replaced by `to`; a `from` that is not there fails
// the test (a fixture edited out of step with its tests would otherwise test nothing).
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return text;
  return text.replace(at, from.size(), to);
}

// The single error of a config that has exactly one problem; any other count fails the test and
// lists what was reported.
inline config_error only_error(const std::string& yaml, const std::string& file = "test.yaml") {
  const load_result r = parse_config(yaml, file);
  EXPECT_FALSE(r.cfg.has_value());
  EXPECT_EQ(r.errors.size(), 1u);
  if (r.errors.size() > 1)
    for (const auto& e : r.errors) ADD_FAILURE() << "error: " << e.to_string();
  return r.errors.empty() ? config_error{} : r.errors.front();
}

// Every error of a load as the operator reads it ("file:line: field: problem").
inline std::vector<std::string> rendered_errors(const load_result& r) {
  std::vector<std::string> out;
  for (const config_error& e : r.errors) out.push_back(e.to_string());
  return out;
}

// A minimal valid config: one worker, one interface, no services.
inline constexpr const char* k_minimal_config = R"(dataplane:
  workers: 1
interfaces:
  - name: uplink
    device: "net_af_packet0,iface=gw-up"
    address: 10.0.0.2/24
services: []
)";

// k_minimal_config with `lines` ("  key: value\n" each) added to its dataplane section.
inline std::string with_dataplane(const std::string& lines) {
  return replace(k_minimal_config, "  workers: 1\n", "  workers: 1\n" + lines);
}

} // namespace sluice
