#pragma once
// Typed, error-collecting access to a yaml-cpp tree. Every accessor records a config_error that
// names the field path and line instead of throwing, so one pass reports every problem.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/config/load.hpp"
#include "dataplane/net/address.hpp"

namespace sluice {

class yaml_reader {
public:
  yaml_reader(std::string file, std::vector<config_error>& errors)
      : file_(std::move(file)), errors_(errors) {}

  void error(const YAML::Node& at, const std::string& field, std::string message);

  // True when `n` is a map whose keys are all in `allowed`; reports each unknown key.
  bool map(const YAML::Node& n, const std::string& field,
           std::initializer_list<std::string_view> allowed);
  bool sequence(const YAML::Node& n, const std::string& field);

  std::optional<std::string> string(const YAML::Node& n, const std::string& field);
  std::optional<int64_t> integer(const YAML::Node& n, const std::string& field, int64_t min,
                                 int64_t max);
  std::optional<uint32_t> ipv4(const YAML::Node& n, const std::string& field);
  // "a.b.c.d/len": address and prefix length.
  std::optional<std::pair<uint32_t, unsigned>> ipv4_prefix(const YAML::Node& n,
                                                           const std::string& field);
  // An address of either family ("a.b.c.d" or an IPv6 address, quoted in YAML).
  std::optional<ip_addr> ip_address(const YAML::Node& n, const std::string& field);
  // "a.b.c.d/len" or "ipv6/len": address and prefix length (up to 32 or 128).
  std::optional<std::pair<ip_addr, unsigned>> ip_prefix(const YAML::Node& n,
                                                        const std::string& field);
  std::optional<std::array<uint8_t, 6>> mac(const YAML::Node& n, const std::string& field);
  // One of `choices`, returned as its index.
  std::optional<std::size_t> choice(const YAML::Node& n, const std::string& field,
                                    std::initializer_list<std::string_view> choices);

  std::size_t error_count() const noexcept { return errors_.size(); }

private:
  std::optional<std::string> scalar(const YAML::Node& n, const std::string& field);

  std::string file_;
  std::vector<config_error>& errors_;
};

} // namespace sluice
