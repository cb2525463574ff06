#include "control/health/parse.hpp"

#include <netinet/in.h>

namespace sluice {
namespace {

// The path goes into the request line as written: no byte that could end the line or the target.
bool valid_path(const std::string& p) {
  if (p.empty() || p.front() != '/' || p.size() > 1024) return false;
  for (unsigned char c : p)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

} // namespace

std::optional<health_check_config> parse_health_check(yaml_reader& r, const YAML::Node& n,
                                                      const std::string& f, uint8_t proto,
                                                      uint16_t service_port) {
  if (!r.map(n, f,
             {"type", "port", "path", "expect_status", "interval_ms", "timeout_ms", "rise", "fall"}))
    return std::nullopt;
  const std::size_t errors_before = r.error_count();
  health_check_config c;
  if (!n["type"])
    r.error(n, f + ".type", "is required (tcp: connect; http: GET path, check the status)");
  else if (auto k = r.choice(n["type"], f + ".type", {"tcp", "http"}))
    c.kind = static_cast<health_check_kind>(*k);
  if (n["port"]) {
    if (auto p = r.integer(n["port"], f + ".port", 1, 65535)) c.port = uint16_t(*p);
  } else if (proto == IPPROTO_UDP) {
    r.error(n, f + ".port", "is required for a udp service: checks are TCP or HTTP, so name a "
                            "TCP port the backend listens on");
  } else if (service_port == 0) {
    r.error(n, f + ".port", "is required for a service covering every port: the backends have "
                            "no port of their own to check");
  }
  const bool http = c.kind == health_check_kind::http;
  if (n["path"]) {
    if (!http) {
      r.error(n["path"], f + ".path", "only applies to type http");
    } else if (auto p = r.string(n["path"], f + ".path")) {
      if (valid_path(*p))
        c.path = *p;
      else
        r.error(n["path"], f + ".path",
                "must start with / and hold only visible ASCII, at most 1024 bytes (got \"" + *p +
                    "\")");
    }
  }
  if (n["expect_status"]) {
    if (!http)
      r.error(n["expect_status"], f + ".expect_status", "only applies to type http");
    else if (auto s = r.integer(n["expect_status"], f + ".expect_status", 100, 599))
      c.expect_status = uint16_t(*s);
  }
  if (n["interval_ms"])
    if (auto v = r.integer(n["interval_ms"], f + ".interval_ms", 100, 3'600'000))
      c.interval_ms = uint32_t(*v);
  if (n["timeout_ms"])
    if (auto v = r.integer(n["timeout_ms"], f + ".timeout_ms", 10, 3'600'000))
      c.timeout_ms = uint32_t(*v);
  // One check per backend in flight: the next starts only after the last has ended.
  if (c.timeout_ms > c.interval_ms)
    r.error(n["timeout_ms"] ? n["timeout_ms"] : n, f + ".timeout_ms",
            "must not exceed interval_ms (" + std::to_string(c.interval_ms) + ")");
  if (n["rise"])
    if (auto v = r.integer(n["rise"], f + ".rise", 1, 100)) c.rise = uint32_t(*v);
  if (n["fall"])
    if (auto v = r.integer(n["fall"], f + ".fall", 1, 100)) c.fall = uint32_t(*v);
  if (r.error_count() != errors_before) return std::nullopt;
  return c;
}

YAML::Node health_check_yaml(const health_check_config& c) {
  YAML::Node n(YAML::NodeType::Map);
  n["type"] = c.kind == health_check_kind::http ? "http" : "tcp";
  if (c.port != 0) n["port"] = c.port;
  if (c.kind == health_check_kind::http) {
    n["path"] = c.path;
    if (c.expect_status) n["expect_status"] = *c.expect_status;
  }
  n["interval_ms"] = c.interval_ms;
  n["timeout_ms"] = c.timeout_ms;
  n["rise"] = c.rise;
  n["fall"] = c.fall;
  return n;
}

} // namespace sluice
