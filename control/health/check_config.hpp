#pragma once
// `services[].health_check`: how the control plane probes each backend of a service
// (config/README.md). Validated by health/parse.cpp; run by health/prober.cpp.

#include <cstdint>
#include <optional>
#include <string>

namespace sluice {

enum class health_check_kind : uint8_t { tcp, http };

struct health_check_config {
  health_check_kind kind = health_check_kind::tcp;
  uint16_t port = 0;     // host byte order; 0: the backend's own port
  std::string path = "/"; // http: the request target of the GET
  // http: the status that passes; none: any 2xx or 3xx passes (HAProxy's httpchk default).
  std::optional<uint16_t> expect_status;
  uint32_t interval_ms = 2000; // from the start of one check to the start of the next
  uint32_t timeout_ms = 1000;  // connect + (http) request and status line; past it the check fails
  uint32_t rise = 2;           // consecutive passes that bring a down backend back
  uint32_t fall = 3;           // consecutive failures that take a backend out

  bool operator==(const health_check_config&) const = default;
};

} // namespace sluice
