#include "control/k8s/decode.hpp"

#include <nlohmann/json.hpp>

#include "dataplane/net/ipv4.hpp"

namespace sluice::k8s {
namespace {

using nlohmann::json;

// Thrown inside this file only and turned into the decoded<T> error at the entry points.
struct bad_field {
  std::string message;
};

[[noreturn]] void fail(const std::string& field, const std::string& why) {
  throw bad_field{field + ": " + why};
}

const json* member(const json& obj, const char* key, const std::string& field) {
  if (!obj.is_object()) fail(field, "must be an object");
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string str(const json& obj, const char* key, const std::string& field,
                std::string fallback = {}) {
  const json* v = member(obj, key, field);
  if (v == nullptr) return fallback;
  if (!v->is_string()) fail(field + "." + key, "must be a string");
  return v->get<std::string>();
}

bool boolean(const json& obj, const char* key, const std::string& field, bool fallback) {
  const json* v = member(obj, key, field);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(field + "." + key, "must be a boolean");
  return v->get<bool>();
}

int64_t integer(const json& obj, const char* key, const std::string& field, int64_t fallback,
                int64_t min, int64_t max) {
  const json* v = member(obj, key, field);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) fail(field + "." + key, "must be an integer");
  const int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)
                        ? max + 1
                        : v->get<int64_t>();
  if (x < min || x > max)
    fail(field + "." + key, "out of range " + std::to_string(min) + ".." + std::to_string(max));
  return x;
}

const json* array(const json& obj, const char* key, const std::string& field) {
  const json* v = member(obj, key, field);
  if (v != nullptr && !v->is_array()) fail(field + "." + key, "must be a list");
  return v;
}

std::map<std::string, std::string> string_map(const json& obj, const char* key,
                                              const std::string& field) {
  std::map<std::string, std::string> out;
  const json* v = member(obj, key, field);
  if (v == nullptr) return out;
  if (!v->is_object()) fail(field + "." + key, "must be an object");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) fail(field + "." + key + "." + it.key(), "must be a string");
    out.emplace(it.key(), it->get<std::string>());
  }
  return out;
}

// IPv4 text → address; anything else (IPv6, placeholders) → 0: the mapping skips it.
uint32_t ipv4_or_zero(const std::string& s) { return parse_ipv4(s).value_or(0); }

object_meta meta_of(const json& j) {
  const json* m = member(j, "metadata", "");
  if (m == nullptr) fail("metadata", "is required");
  object_meta meta;
  meta.name = str(*m, "name", "metadata");
  if (meta.name.empty()) fail("metadata.name", "is required");
  meta.ns = str(*m, "namespace", "metadata");
  meta.resource_version = str(*m, "resourceVersion", "metadata");
  meta.labels = string_map(*m, "labels", "metadata");
  meta.annotations = string_map(*m, "annotations", "metadata");
  return meta;
}

service service_of(const json& j) {
  service s;
  s.meta = meta_of(j);
  if (const json* spec = member(j, "spec", "")) {
    s.type = str(*spec, "type", "spec", "ClusterIP");
    s.cluster_ip = str(*spec, "clusterIP", "spec");
    if (const json* c = member(*spec, "loadBalancerClass", "spec")) {
      if (!c->is_string()) fail("spec.loadBalancerClass", "must be a string");
      s.load_balancer_class = c->get<std::string>();
    }
    s.external_traffic_policy = str(*spec, "externalTrafficPolicy", "spec", "Cluster");
    s.health_check_node_port = uint16_t(integer(*spec, "healthCheckNodePort", "spec", 0, 0, 65535));
    s.session_affinity = str(*spec, "sessionAffinity", "spec", "None");
    if (const json* cfg = member(*spec, "sessionAffinityConfig", "spec"))
      if (const json* cip = member(*cfg, "clientIP", "spec.sessionAffinityConfig"))
        s.affinity_timeout = uint32_t(integer(*cip, "timeoutSeconds",
                                              "spec.sessionAffinityConfig.clientIP", 10800, 1,
                                              86400));
    if (const json* ranges = array(*spec, "loadBalancerSourceRanges", "spec"))
      for (const json& r : *ranges) {
        if (!r.is_string()) fail("spec.loadBalancerSourceRanges", "must hold strings");
        s.load_balancer_source_ranges.push_back(r.get<std::string>());
      }
    if (const json* ports = array(*spec, "ports", "spec")) {
      for (std::size_t i = 0; i < ports->size(); ++i) {
        const std::string f = "spec.ports[" + std::to_string(i) + "]";
        const json& p = (*ports)[i];
        service_port sp;
        sp.name = str(p, "name", f);
        sp.protocol = protocol_of(str(p, "protocol", f, "TCP"));
        sp.port = uint16_t(integer(p, "port", f, 0, 1, 65535));
        if (sp.port == 0) fail(f + ".port", "is required");
        sp.node_port = uint16_t(integer(p, "nodePort", f, 0, 0, 65535));
        s.ports.push_back(std::move(sp));
      }
    }
  }
  if (const json* st = member(j, "status", ""))
    if (const json* lb = member(*st, "loadBalancer", "status"))
      if (const json* ing = array(*lb, "ingress", "status.loadBalancer"))
        for (const json& e : *ing) {
          const uint32_t ip = ipv4_or_zero(str(e, "ip", "status.loadBalancer.ingress[]"));
          if (ip != 0)
            s.ingress.push_back({ip, str(e, "ipMode", "status.loadBalancer.ingress[]")});
        }
  return s;
}

endpoint_slice slice_of(const json& j) {
  endpoint_slice es;
  es.meta = meta_of(j);
  if (auto it = es.meta.labels.find("kubernetes.io/service-name"); it != es.meta.labels.end())
    es.service_name = it->second;
  es.address_type = str(j, "addressType", "");
  if (const json* eps = array(j, "endpoints", "")) {
    for (std::size_t i = 0; i < eps->size(); ++i) {
      const std::string f = "endpoints[" + std::to_string(i) + "]";
      const json& e = (*eps)[i];
      endpoint ep;
      if (const json* addrs = array(e, "addresses", f))
        for (const json& a : *addrs) {
          if (!a.is_string()) fail(f + ".addresses", "must hold strings");
          if (const uint32_t ip = ipv4_or_zero(a.get<std::string>())) ep.addresses.push_back(ip);
        }
      if (const json* c = member(e, "conditions", f)) {
        const std::string cf = f + ".conditions";
        ep.ready = boolean(*c, "ready", cf, true);
        ep.serving = boolean(*c, "serving", cf, ep.ready);
        ep.terminating = boolean(*c, "terminating", cf, false);
      }
      ep.node_name = str(e, "nodeName", f);
      es.endpoints.push_back(std::move(ep));
    }
  }
  if (const json* ports = array(j, "ports", "")) {
    for (std::size_t i = 0; i < ports->size(); ++i) {
      const std::string f = "ports[" + std::to_string(i) + "]";
      const json& p = (*ports)[i];
      endpoint_port ep;
      ep.name = str(p, "name", f);
      ep.protocol = protocol_of(str(p, "protocol", f, "TCP"));
      if (member(p, "port", f)) ep.port = uint16_t(integer(p, "port", f, 0, 1, 65535));
      es.ports.push_back(std::move(ep));
    }
  }
  return es;
}

node node_of(const json& j) {
  node n;
  n.meta = meta_of(j);
  n.exclude_from_lb =
      n.meta.labels.contains("node.kubernetes.io/exclude-from-external-load-balancers");
  uint32_t external = 0;
  if (const json* st = member(j, "status", ""))
    if (const json* addrs = array(*st, "addresses", "status"))
      for (const json& a : *addrs) {
        const std::string type = str(a, "type", "status.addresses[]");
        const uint32_t ip = ipv4_or_zero(str(a, "address", "status.addresses[]"));
        if (type == "InternalIP" && n.internal_ip == 0) n.internal_ip = ip;
        if (type == "ExternalIP" && external == 0) external = ip;
      }
  if (n.internal_ip == 0) n.internal_ip = external;
  return n;
}

template <typename T, typename F>
decoded<T> guarded(const json& j, F&& f) {
  try {
    if (!j.is_object()) return std::string("object: must be a JSON object");
    return f(j);
  } catch (const bad_field& e) {
    return e.message;
  } catch (const json::exception& e) {
    return std::string("object: ") + e.what(); // defensive: no nlohmann call above should throw
  }
}

} // namespace

l4_protocol protocol_of(std::string_view s) noexcept {
  if (s == "TCP") return l4_protocol::tcp;
  if (s == "UDP") return l4_protocol::udp;
  if (s == "SCTP") return l4_protocol::sctp;
  return l4_protocol::unknown;
}

std::string_view name_of(l4_protocol p) noexcept {
  switch (p) {
  case l4_protocol::tcp: return "TCP";
  case l4_protocol::udp: return "UDP";
  case l4_protocol::sctp: return "SCTP";
  case l4_protocol::unknown: break;
  }
  return "unknown";
}

decoded<service> decode_service(const json& j) { return guarded<service>(j, service_of); }
decoded<endpoint_slice> decode_endpoint_slice(const json& j) {
  return guarded<endpoint_slice>(j, slice_of);
}
decoded<node> decode_node(const json& j) { return guarded<node>(j, node_of); }
decoded<object_meta> decode_meta(const json& j) { return guarded<object_meta>(j, meta_of); }

} // namespace sluice::k8s
