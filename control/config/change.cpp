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

// Thrown for a request that cannot be located (no such service or backend); the service's own
// fields are left to the config parser.
struct refusal {
  int status;
  std::string message;
};

// JSON is YAML: the parser sees a request's service exactly as it would see it in a file.
YAML::Node yaml_of(const json& j) { return YAML::Load(j.dump()); }

uint32_t address_of(const std::string& text, const std::string& field) {
  const auto addr = parse_ipv4(text);
  if (!addr) throw refusal{422, field + ".address: not an IPv4 address: " + json(text).dump()};
  return *addr;
}

std::size_t find_service(const config& c, const api::service_selector& sel) {
  if (sel.name) {
    for (std::size_t i = 0; i < c.services.size(); ++i)
      if (c.services[i].name == *sel.name) return i;
    throw refusal{404, "service.name: no service named " + json(*sel.name).dump()};
  }
  const std::string protocol = sel.protocol.value_or("tcp");
  const uint8_t p = protocol == "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
  const uint32_t vip = address_of(sel.address, "service");
  const uint16_t port = htons(sel.port.value_or(0));
  for (std::size_t i = 0; i < c.services.size(); ++i)
    if (c.services[i].vip == vip && c.services[i].port == port && c.services[i].proto == p)
      return i;
  throw refusal{404, "service: no " + protocol + " service " + format_ipv4(vip) + ":" +
                         std::to_string(ntohs(port))};
}

std::size_t find_backend(const service_config& s, const api::backend_spec& b) {
  const uint32_t addr = address_of(b.address, "backend");
  const uint16_t port = b.port ? htons(*b.port) : s.port;
  for (std::size_t k = 0; k < s.backends.size(); ++k)
    if (s.backends[k].addr == addr && s.backends[k].port == port) return k;
  throw refusal{404, "backend: service \"" + s.name + "\" has no backend " + format_ipv4(addr) +
                         ":" + std::to_string(ntohs(port))};
}

// ipvsadm sets the forwarding method per real server (-g -i -m); Sluice sets it per service,
// so a backend may name one only to confirm the service's.
void check_forwarding(const api::backend_spec& b, const service_config& s) {
  if (b.forwarding && *b.forwarding != name_of(s.mode))
    throw refusal{422, "backend.forwarding: " + json(*b.forwarding).dump() +
                           " differs from service \"" + s.name + "\"'s forwarding " +
                           std::string(name_of(s.mode)) + " (set per service)"};
}

// The backend's fields as the config file writes them (forwarding is the service's).
json backend_fields(const api::backend_spec& b) {
  json j{{"address", b.address}};
  if (b.port) j["port"] = *b.port;
  if (b.weight) j["weight"] = *b.weight;
  return j;
}

// The backend as the request wrote it, for the log.
std::string endpoint(const api::backend_spec& b, const service_config& s) {
  return b.address + ":" + std::to_string(b.port ? *b.port : ntohs(s.port));
}

// The service as the file would hold it, edited by `set` (keys of the file's service shape).
YAML::Node edited(const service_config& s, const json& set) {
  YAML::Node n = to_yaml(s);
  for (const auto& [key, value] : set.items()) n[key] = yaml_of(value);
  return n;
}

// Locates what the request changes and builds the changed service's YAML; sets plan.subject.
// Returns the delta with `service` still to be validated from `node` (none for removals).
service_delta locate(const config& c, const runtime_change& rc, change_plan& plan,
                     std::optional<YAML::Node>& node) {
  switch (rc.kind) {
  case change_kind::add_service: {
    json s = std::get<api::service_definition>(rc.request).fields;
    // ipvsadm services have no names: make one from the identity, unique like it.
    if (!s.contains("name") && s.contains("address") && s.at("address").is_string()) {
      const json& proto = s.contains("protocol") ? s.at("protocol") : json("tcp");
      s["name"] = (proto.is_string() ? proto.get<std::string>() : proto.dump()) + "/" +
                  s.at("address").get<std::string>() + ":" +
                  (s.contains("port") ? s.at("port").dump() : std::string("0"));
    }
    if (!s.contains("backends")) s["backends"] = json::array();
    plan.subject = s.contains("name") && s.at("name").is_string() ? s.at("name").get<std::string>()
                                                                   : "?";
    node = yaml_of(s);
    return {.kind = service_delta::op::add};
  }
  case change_kind::edit_service: {
    const auto& r = std::get<api::service_edit>(rc.request);
    const std::size_t i = find_service(c, r.service);
    plan.subject = c.services[i].name;
    node = edited(c.services[i], r.set);
    return {.kind = service_delta::op::replace, .index = i};
  }
  case change_kind::delete_service: {
    const std::size_t i = find_service(c, std::get<api::service_removal>(rc.request).service);
    plan.subject = c.services[i].name;
    return {.kind = service_delta::op::remove, .index = i};
  }
  case change_kind::add_backend: {
    const auto& r = std::get<api::backend_change>(rc.request);
    const std::size_t i = find_service(c, r.service);
    check_forwarding(r.backend, c.services[i]);
    plan.subject = c.services[i].name + " " + endpoint(r.backend, c.services[i]);
    node = to_yaml(c.services[i]);
    (*node)["backends"].push_back(yaml_of(backend_fields(r.backend)));
    return {.kind = service_delta::op::replace, .index = i};
  }
  case change_kind::edit_backend: {
    const auto& r = std::get<api::backend_change>(rc.request);
    const std::size_t i = find_service(c, r.service);
    check_forwarding(r.backend, c.services[i]);
    const std::size_t k = find_backend(c.services[i], r.backend);
    plan.subject = c.services[i].name + " " + endpoint(r.backend, c.services[i]);
    node = to_yaml(c.services[i]);
    YAML::Node backend = (*node)["backends"][k];
    const json fields = backend_fields(r.backend); // items() of a temporary would dangle
    for (const auto& [key, value] : fields.items()) backend[key] = yaml_of(value);
    return {.kind = service_delta::op::replace, .index = i};
  }
  case change_kind::delete_backend: {
    const auto& r = std::get<api::backend_change>(rc.request);
    const std::size_t i = find_service(c, r.service);
    const std::size_t k = find_backend(c.services[i], r.backend);
    plan.subject = c.services[i].name + " " + endpoint(r.backend, c.services[i]);
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

bool runtime_change::flush() const {
  return std::visit(
      [](const auto& r) {
        if constexpr (requires { r.flush; }) return r.flush.value_or(false);
        else return false;
      },
      request);
}

change_plan plan_change(const config& applied, const runtime_change& c) {
  change_plan plan;
  try {
    std::optional<YAML::Node> node;
    service_delta d = locate(applied, c, plan, node);
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
  } catch (const YAML::Exception& e) {
    plan.status = 422;
    plan.errors.push_back("body: " + e.msg);
  }
  return plan;
}

service_lookup lookup_service(const config& c, const api::service_selector& selector) {
  try {
    return {.index = find_service(c, selector)};
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
