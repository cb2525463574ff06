#include "control/config/change.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "control/config/emit.hpp"
#include "control/config/load.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

using json = nlohmann::json;

// Thrown for a request that cannot even be located (bad selector, no such service); the
// service's own fields are left to the config parser.
struct refusal {
  int status;
  std::string message;
};

// JSON is YAML: the parser sees a request's service exactly as it would see it in a file.
YAML::Node yaml_of(const json& j) { return YAML::Load(j.dump()); }

const json& member(const json& body, const char* key) {
  if (!body.is_object() || !body.contains(key))
    throw refusal{422, std::string(key) + ": is required"};
  return body.at(key);
}

uint32_t address_of(const json& j, const std::string& field) {
  if (!j.contains("address")) throw refusal{422, field + ".address: is required"};
  const json& a = j.at("address");
  const auto addr = a.is_string() ? parse_ipv4(a.get<std::string>()) : std::nullopt;
  if (!addr) throw refusal{422, field + ".address: not an IPv4 address: " + a.dump()};
  return *addr;
}

// Port in network byte order; `fallback` when absent.
uint16_t port_of(const json& j, const std::string& field, uint16_t fallback) {
  if (!j.contains("port")) return fallback;
  const json& p = j.at("port");
  if (!p.is_number_integer() || p.get<int64_t>() < 0 || p.get<int64_t>() > 65535)
    throw refusal{422, field + ".port: must be an integer in 0..65535 (got " + p.dump() + ")"};
  return htons(uint16_t(p.get<int64_t>()));
}

// The index of the service that `sel` names: {"name"} or {"protocol", "address", "port"}.
std::size_t find_service(const config& c, const json& sel) {
  if (!sel.is_object())
    throw refusal{422, "service: must be {\"name\"} or {\"protocol\", \"address\", \"port\"}"};
  if (sel.contains("name")) {
    const json& name = sel.at("name");
    for (std::size_t i = 0; name.is_string() && i < c.services.size(); ++i)
      if (c.services[i].name == name.get<std::string>()) return i;
    throw refusal{404, "service.name: no service named " + name.dump()};
  }
  const std::string proto = sel.value("protocol", std::string("tcp"));
  if (proto != "tcp" && proto != "udp")
    throw refusal{422, "service.protocol: must be one of tcp | udp (got \"" + proto + "\")"};
  const uint8_t p = proto == "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
  const uint32_t vip = address_of(sel, "service");
  const uint16_t port = port_of(sel, "service", 0);
  for (std::size_t i = 0; i < c.services.size(); ++i)
    if (c.services[i].vip == vip && c.services[i].port == port && c.services[i].proto == p)
      return i;
  throw refusal{404, "service: no " + proto + " service " + format_ipv4(vip) + ":" +
                         std::to_string(ntohs(port))};
}

std::size_t find_backend(const service_config& s, const json& b) {
  const uint32_t addr = address_of(b, "backend");
  const uint16_t port = port_of(b, "backend", s.port);
  for (std::size_t k = 0; k < s.backends.size(); ++k)
    if (s.backends[k].addr == addr && s.backends[k].port == port) return k;
  throw refusal{404, "backend: service \"" + s.name + "\" has no backend " + format_ipv4(addr) +
                         ":" + std::to_string(ntohs(port))};
}

// ipvsadm sets the forwarding method per real server (-g -i -m); Sluice sets it per service,
// so a backend may name one only to confirm the service's.
json without_forwarding(json b, const service_config& s) {
  if (!b.is_object()) throw refusal{422, "backend: must be an object {address, port, weight}"};
  if (b.contains("forwarding")) {
    if (b.at("forwarding") != json(std::string(name_of(s.mode))))
      throw refusal{422, "backend.forwarding: " + b.at("forwarding").dump() +
                             " differs from service \"" + s.name + "\"'s forwarding " +
                             std::string(name_of(s.mode)) + " (set per service)"};
    b.erase("forwarding");
  }
  return b;
}

// The backend as the request wrote it, for the log; validating it is the parser's job.
std::string endpoint(const json& b, const service_config& s) {
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  return (b.contains("address") ? text(b.at("address")) : "?") + ":" +
         (b.contains("port") ? text(b.at("port")) : std::to_string(ntohs(s.port)));
}

// The service as the file would hold it, edited by `set` (keys of the file's service shape).
YAML::Node edited(const service_config& s, const json& set) {
  YAML::Node n = to_yaml(s);
  for (const auto& [key, value] : set.items()) n[key] = yaml_of(value);
  return n;
}

// Locates what the request changes and builds the changed service's YAML; sets plan.subject.
// Returns the delta with `service` still to be validated from `node` (none for removals).
service_delta locate(const config& c, change_kind kind, const json& body, change_plan& plan,
                     std::optional<YAML::Node>& node) {
  switch (kind) {
  case change_kind::add_service: {
    if (!body.is_object())
      throw refusal{422, "body: must be a service object, as in the config file's services list"};
    json s = body;
    // ipvsadm services have no names: make one from the identity, unique like it.
    if (!s.contains("name") && s.contains("address") && s.at("address").is_string())
      s["name"] = s.value("protocol", std::string("tcp")) + "/" +
                  s.at("address").get<std::string>() + ":" +
                  (s.contains("port") ? s.at("port").dump() : std::string("0"));
    if (!s.contains("backends")) s["backends"] = json::array();
    plan.subject = s.contains("name") && s.at("name").is_string() ? s.at("name").get<std::string>()
                                                                   : "?";
    node = yaml_of(s);
    return {.kind = service_delta::op::add};
  }
  case change_kind::edit_service: {
    const std::size_t i = find_service(c, member(body, "service"));
    const json& set = member(body, "set");
    if (!set.is_object() || set.empty())
      throw refusal{422, "set: must be an object with the fields to change"};
    if (set.contains("backends"))
      throw refusal{422, "set.backends: change backends with the backend requests"};
    plan.subject = c.services[i].name;
    node = edited(c.services[i], set);
    return {.kind = service_delta::op::replace, .index = i};
  }
  case change_kind::delete_service: {
    const std::size_t i = find_service(c, member(body, "service"));
    plan.subject = c.services[i].name;
    return {.kind = service_delta::op::remove, .index = i};
  }
  case change_kind::add_backend: {
    const std::size_t i = find_service(c, member(body, "service"));
    const json b = without_forwarding(member(body, "backend"), c.services[i]);
    plan.subject = c.services[i].name + " " + endpoint(b, c.services[i]);
    node = to_yaml(c.services[i]);
    (*node)["backends"].push_back(yaml_of(b));
    return {.kind = service_delta::op::replace, .index = i};
  }
  case change_kind::edit_backend: {
    const std::size_t i = find_service(c, member(body, "service"));
    const json b = without_forwarding(member(body, "backend"), c.services[i]);
    const std::size_t k = find_backend(c.services[i], b);
    plan.subject = c.services[i].name + " " + endpoint(b, c.services[i]);
    node = to_yaml(c.services[i]);
    YAML::Node backend = (*node)["backends"][k];
    for (const auto& [key, value] : b.items()) backend[key] = yaml_of(value);
    return {.kind = service_delta::op::replace, .index = i};
  }
  case change_kind::delete_backend: {
    const std::size_t i = find_service(c, member(body, "service"));
    const json& b = member(body, "backend");
    const std::size_t k = find_backend(c.services[i], b);
    plan.subject = c.services[i].name + " " + endpoint(b, c.services[i]);
    service_delta d{.kind = service_delta::op::replace, .index = i, .service = c.services[i]};
    d.service.backends.erase(d.service.backends.begin() + std::ptrdiff_t(k));
    return d;
  }
  }
  throw refusal{422, "unknown change"};
}

} // namespace

std::string_view name_of(change_kind k) noexcept {
  switch (k) {
  case change_kind::add_service: return "add_service";
  case change_kind::edit_service: return "edit_service";
  case change_kind::delete_service: return "delete_service";
  case change_kind::add_backend: return "add_backend";
  case change_kind::edit_backend: return "edit_backend";
  case change_kind::delete_backend: return "delete_backend";
  }
  return "?";
}

change_plan plan_change(const config& applied, change_kind kind, std::string_view body) {
  change_plan plan;
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) {
    plan.status = 422;
    plan.errors.push_back("body: not valid JSON");
    return plan;
  }
  try {
    std::optional<YAML::Node> node;
    service_delta d = locate(applied, kind, request, plan, node);
    if (node) {
      // Removing a backend cannot make a valid service invalid; everything else is checked.
      const std::optional<std::size_t> replacing =
          d.kind == service_delta::op::replace ? std::optional(d.index) : std::nullopt;
      service_result r = validate_service(applied, *node, replacing);
      if (!r.service) {
        plan.status = 422;
        for (const config_error& e : r.errors) plan.errors.push_back(e.to_string());
        return plan;
      }
      d.service = std::move(*r.service);
    }
    plan.delta = std::move(d);
  } catch (const refusal& e) {
    plan.status = e.status;
    plan.errors.push_back(e.message);
  } catch (const json::exception& e) {
    plan.status = 422;
    plan.errors.push_back(std::string("body: ") + e.what());
  } catch (const YAML::Exception& e) {
    plan.status = 422;
    plan.errors.push_back("body: " + e.msg);
  }
  return plan;
}

service_lookup lookup_service(const config& c, std::string_view selector) {
  const json sel = json::parse(selector, nullptr, /*allow_exceptions=*/false);
  try {
    return {.index = find_service(c, sel)};
  } catch (const refusal& e) {
    return {.status = e.status, .error = e.message};
  }
}

void apply_delta(config& c, service_delta d) {
  switch (d.kind) {
  case service_delta::op::add: c.services.push_back(std::move(d.service)); break;
  case service_delta::op::replace: c.services[d.index] = std::move(d.service); break;
  case service_delta::op::remove:
    c.services.erase(c.services.begin() + std::ptrdiff_t(d.index));
    break;
  }
}

} // namespace sluice
