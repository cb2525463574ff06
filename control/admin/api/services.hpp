#pragma once
// GET /v1/services: the virtual services with their backends, state and traffic
// (sluicectl list, ipvsadm -Ln).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::api {

// Traffic summed over every worker since the service or backend appeared.
struct traffic {
  uint64_t conns = 0; // connections scheduled (ipvsadm Conns)
  uint64_t in_packets = 0;
  uint64_t in_bytes = 0;
  uint64_t out_packets = 0;
  uint64_t out_bytes = 0;
  bool operator==(const traffic&) const = default;
};

// A checked backend's health; present only when its service has a health_check.
struct backend_health {
  std::string state; // "up" | "down" | "unknown" (not yet rise passes or fall failures in a row)
  std::string check; // "tcp" | "http"
  uint16_t port = 0; // the port checked
  uint64_t streak = 0;
  uint64_t checks_passed = 0;
  uint64_t checks_failed = 0;
  uint64_t transitions = 0;
  std::string last_detail;
  bool operator==(const backend_health&) const = default;
};

struct backend_status {
  std::string address;
  uint16_t port = 0;
  // What the scheduler uses: 0 while the health check holds the backend down (as keepalived's
  // inhibit_on_failure shows it), else configured_weight.
  uint32_t weight = 0;
  uint32_t configured_weight = 0;
  uint64_t active_conns = 0;   // TCP flows in ESTABLISHED (ipvsadm ActiveConn)
  uint64_t inactive_conns = 0; // other tracked flows (ipvsadm InActConn)
  traffic stats;
  std::optional<backend_health> health;
  bool operator==(const backend_status&) const = default;
};

struct service_status {
  std::string name;
  std::string protocol; // "tcp" | "udp"
  std::string address;
  uint16_t port = 0;
  std::string forwarding; // "nat" | "dr" | "tun" | "fnat"
  std::string scheduler;
  uint32_t persistence_timeout = 0; // seconds; 0: no client affinity
  traffic stats;
  std::vector<backend_status> backends;
  bool operator==(const service_status&) const = default;
};

struct service_list {
  std::vector<service_status> services;
  bool operator==(const service_list&) const = default;
};

void to_json(nlohmann::json& j, const traffic& v);
void from_json(const nlohmann::json& j, traffic& v);
void to_json(nlohmann::json& j, const backend_health& v);
void from_json(const nlohmann::json& j, backend_health& v);
void to_json(nlohmann::json& j, const backend_status& v);
void from_json(const nlohmann::json& j, backend_status& v);
void to_json(nlohmann::json& j, const service_status& v);
void from_json(const nlohmann::json& j, service_status& v);
void to_json(nlohmann::json& j, const service_list& v);
void from_json(const nlohmann::json& j, service_list& v);

} // namespace sluice::api
