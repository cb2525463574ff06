#pragma once
// Realistic Service / EndpointSlice / Node JSON for tests, shaped as a v1.29 API server sends
// them, decoded through the real decoder (k8s/decode.hpp) into a cluster_state.

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "control/k8s/decode.hpp"

namespace sluice::test {

using nlohmann::json;

inline json k8s_port(const std::string& name, int port, int node_port = 0,
                     const std::string& proto = "TCP", int target = 8080) {
  json p{{"name", name}, {"protocol", proto}, {"port", port}, {"targetPort", target}};
  if (node_port) p["nodePort"] = node_port;
  return p;
}

inline json k8s_service(const std::string& ns, const std::string& name, const std::string& type,
                        std::vector<json> ports) {
  json s{{"kind", "Service"},
         {"apiVersion", "v1"},
         {"metadata",
          {{"name", name}, {"namespace", ns}, {"uid", ns + "-" + name}, {"resourceVersion", "100"}}},
         {"spec",
          {{"type", type},
           {"clusterIP", "10.96.0.10"},
           {"clusterIPs", {"10.96.0.10"}},
           {"ports", ports},
           {"selector", {{"app", name}}},
           {"sessionAffinity", "None"},
           {"externalTrafficPolicy", "Cluster"},
           {"ipFamilies", {"IPv4"}},
           {"ipFamilyPolicy", "SingleStack"}}},
         {"status", {{"loadBalancer", json::object()}}}};
  if (type == "LoadBalancer") s["spec"]["loadBalancerClass"] = "sluice.io/lb";
  if (type == "ClusterIP" || type == "ExternalName") s["spec"].erase("externalTrafficPolicy");
  return s;
}

struct k8s_ep {
  std::string addr;
  bool ready = true;
  bool serving = true;
  bool terminating = false;
  std::string node = "node-a";
};

inline json k8s_slice(const std::string& ns, const std::string& service, const std::string& name,
                      std::vector<k8s_ep> eps, std::vector<json> ports) {
  json list = json::array();
  for (const k8s_ep& e : eps)
    list.push_back({{"addresses", {e.addr}},
                    {"conditions",
                     {{"ready", e.ready}, {"serving", e.serving}, {"terminating", e.terminating}}},
                    {"nodeName", e.node},
                    {"targetRef", {{"kind", "Pod"}, {"namespace", ns}, {"name", "pod-" + e.addr}}}});
  return {{"kind", "EndpointSlice"},
          {"apiVersion", "discovery.k8s.io/v1"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"resourceVersion", "101"},
            {"labels",
             {{"kubernetes.io/service-name", service},
              {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}}}},
          {"addressType", "IPv4"},
          {"endpoints", list},
          {"ports", ports}};
}

inline json k8s_slice_port(const std::string& name, int port, const std::string& proto = "TCP") {
  return {{"name", name}, {"port", port}, {"protocol", proto}};
}

inline json k8s_node(const std::string& name, const std::string& ip, bool excluded = false) {
  json n{{"kind", "Node"},
         {"apiVersion", "v1"},
         {"metadata",
          {{"name", name},
           {"resourceVersion", "50"},
           {"labels", {{"kubernetes.io/hostname", name}}}}},
         {"status",
          {{"addresses",
            {{{"type", "Hostname"}, {"address", name}}, {{"type", "InternalIP"}, {"address", ip}}}}}}};
  if (excluded)
    n["metadata"]["labels"]["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  return n;
}

template <typename T>
T must(k8s::decoded<T> d) {
  if (auto* e = std::get_if<std::string>(&d)) throw std::runtime_error("decode: " + *e);
  return std::get<T>(std::move(d));
}

inline void put(k8s::cluster_state& st, const json& j) {
  const std::string kind = j.at("kind");
  if (kind == "Service") {
    auto s = must(k8s::decode_service(j));
    st.services[s.meta.key()] = s;
  } else if (kind == "EndpointSlice") {
    auto s = must(k8s::decode_endpoint_slice(j));
    st.slices[s.meta.key()] = s;
  } else {
    auto n = must(k8s::decode_node(j));
    st.nodes[n.meta.name] = n;
  }
}

} // namespace sluice::test
