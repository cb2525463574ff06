#include "control/config/emit.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "control/health/parse.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {

YAML::Node to_yaml(const backend_config& b, const service_config& of) {
  YAML::Node n(YAML::NodeType::Map);
  n["address"] = format_ipv4(b.addr);
  // Port 0 only arises in an any-port service, whose backends then take the client's port: the
  // parser gives a backend without `port` the service's, so leaving it out round-trips.
  if (b.port != 0 || of.port != 0) n["port"] = ntohs(b.port);
  n["weight"] = b.weight;
  return n;
}

YAML::Node to_yaml(const service_config& s) {
  YAML::Node n(YAML::NodeType::Map);
  n["name"] = s.name;
  n["address"] = format_ipv4(s.vip);
  if (s.port != 0) n["port"] = ntohs(s.port);
  n["protocol"] = s.proto == IPPROTO_UDP ? "udp" : "tcp";
  n["forwarding"] = std::string(name_of(s.mode));
  n["scheduler"] = std::string(name_of(s.scheduler));
  n["persistence_timeout"] = s.persistence_timeout;
  if (s.drain_timeout != 0) n["drain_timeout"] = s.drain_timeout;
  YAML::Node backends(YAML::NodeType::Sequence);
  for (const backend_config& b : s.backends) backends.push_back(to_yaml(b, s));
  n["backends"] = backends;
  if (!s.local_addresses.empty()) {
    YAML::Node locals(YAML::NodeType::Sequence);
    for (uint32_t a : s.local_addresses) locals.push_back(format_ipv4(a));
    n["local_addresses"] = locals;
  }
  if (s.proxy_protocol_v2) n["proxy_protocol"] = "v2";
  if (!s.acls.empty()) n["acls"] = s.acls;
  if (s.health_check) n["health_check"] = health_check_yaml(*s.health_check);
  if (!s.allowed_sources.empty()) {
    YAML::Node sources(YAML::NodeType::Sequence);
    for (const ip_prefix& p : s.allowed_sources)
      sources.push_back(format_ipv4(p.addr) + "/" + std::to_string(p.len));
    n["allowed_sources"] = sources;
  }
  return n;
}

YAML::Node to_yaml(const std::vector<service_config>& services) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const service_config& s : services) list.push_back(to_yaml(s));
  return list;
}

} // namespace sluice
