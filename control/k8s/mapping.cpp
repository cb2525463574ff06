#include "control/k8s/mapping.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "control/acl/cidr.hpp"
#include "control/k8s/decode.hpp"
#include "control/k8s/pool.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice::k8s {
namespace {

// One usable endpoint of one service port, after kube-proxy's condition rules.
struct candidate {
  uint32_t addr;
  uint16_t port; // host byte order
  bool ready;
  bool serving;
  bool terminating;
  std::string node;
};

std::vector<candidate> candidates_for(const std::vector<const endpoint_slice*>& slices,
                                      const service_port& sp) {
  std::map<std::pair<uint32_t, uint16_t>, candidate> by_addr;
  for (const endpoint_slice* s : slices) {
    const endpoint_port* match = nullptr;
    for (const endpoint_port& p : s->ports)
      if (p.name == sp.name && p.protocol == sp.protocol && p.port) match = &p;
    if (match == nullptr) continue;
    for (const endpoint& e : s->endpoints) {
      if (e.addresses.empty()) continue;
      candidate c{e.addresses.front(), *match->port, e.ready, e.serving, e.terminating,
                  e.node_name};
      // The same pod can sit in two slices while the controller moves it; the ready copy wins.
      auto [it, fresh] = by_addr.try_emplace({c.addr, c.port}, c);
      if (!fresh && c.ready && !it->second.ready) it->second = c;
    }
  }
  std::vector<candidate> out;
  for (auto& [k, c] : by_addr) out.push_back(std::move(c));
  return out;
}

// kube-proxy's choice: the ready endpoints; if there are none, the serving and terminating
// ones. Terminating endpoints outside that choice drain (weight 0) rather than vanish, so
// connections already on them finish. Not-ready, not-terminating endpoints are left out.
std::vector<std::pair<candidate, uint16_t>> weigh(const std::vector<candidate>& cands) {
  const bool any_ready = std::any_of(cands.begin(), cands.end(), [](auto& c) { return c.ready; });
  std::vector<std::pair<candidate, uint16_t>> out;
  for (const candidate& c : cands) {
    if (c.ready)
      out.push_back({c, 1});
    else if (!any_ready && c.serving && c.terminating)
      out.push_back({c, 1});
    else if (c.terminating)
      out.push_back({c, 0});
  }
  return out;
}

// DR and TUN deliver the client's packet as sent: the backend must listen on the VIP's port.
bool keeps_port(forwarding m) { return m == forwarding::dr || m == forwarding::tun; }

std::string port_label(const service_port& sp) {
  std::string proto(name_of(sp.protocol));
  std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
  return std::to_string(sp.port) + "/" + proto;
}

// Maps one Service into `out`.
class mapper {
public:
  mapper(const std::map<std::string, node>& nodes, const kubernetes_config& cfg,
         service_mapping& out)
      : nodes_(nodes), cfg_(cfg), out_(out) {}

  void map(const service& s, const std::vector<const endpoint_slice*>& slices,
           const std::optional<uint32_t>& lb_addr) {
    if (s.type == "ExternalName" || s.cluster_ip == "None") return;
    const bool node_port_type = s.type == "NodePort" || s.type == "LoadBalancer";
    if (!node_port_type) return;

    forwarding mode = cfg_.mode;
    scheduler_kind sched = cfg_.scheduler;
    if (auto it = s.meta.annotations.find(k_annotation_forwarding);
        it != s.meta.annotations.end()) {
      if (it->second == "nat") mode = forwarding::nat;
      else if (it->second == "dr") mode = forwarding::dr;
      else if (it->second == "tun") mode = forwarding::tun;
      else if (it->second == "fnat") mode = forwarding::fnat;
      else problem(s, std::string(k_annotation_forwarding) + ": \"" + it->second +
                          "\" is not one of nat | dr | tun | fnat; using " +
                          std::string(name_of(mode)));
    }
    if (auto it = s.meta.annotations.find(k_annotation_scheduler);
        it != s.meta.annotations.end()) {
      static constexpr std::string_view names[] = {"rr", "wrr", "lc", "wlc",
                                                   "sh", "dh",  "mh", "random"};
      const auto* f = std::find(std::begin(names), std::end(names), it->second);
      if (f != std::end(names))
        sched = static_cast<scheduler_kind>(f - std::begin(names));
      else
        problem(s, std::string(k_annotation_scheduler) + ": \"" + it->second +
                       "\" is not an IPVS scheduler; using " + std::string(name_of(sched)));
    }
    const uint32_t persistence = s.session_affinity == "ClientIP" ? s.affinity_timeout : 0;
    std::vector<ip_prefix> allowed_sources;
    const bool lb = lb_addr.has_value() && source_ranges(s, allowed_sources);

    for (const service_port& sp : s.ports) {
      if (sp.protocol != l4_protocol::tcp && sp.protocol != l4_protocol::udp) {
        problem(s, "port " + std::to_string(sp.port) + ": protocol " +
                       std::string(name_of(sp.protocol)) + " is not supported (TCP and UDP are)");
        continue;
      }
      const auto weighed = weigh(candidates_for(slices, sp));
      service_config base;
      base.proto = sp.protocol == l4_protocol::tcp ? IPPROTO_TCP : IPPROTO_UDP;
      base.mode = mode;
      base.scheduler = sched;
      base.persistence_timeout = persistence;
      // A check without a port of its own has nothing to connect to on a UDP endpoint.
      if (cfg_.health_check && (base.proto == IPPROTO_TCP || cfg_.health_check->port != 0))
        base.health_check = cfg_.health_check;
      if (auto hc = node_health_check(s)) base.health_check = hc;
      if (lb) {
        service_config v = base;
        v.name = "k8s:" + s.meta.key() + ":" + port_label(sp);
        v.vip = *lb_addr;
        v.port = htons(sp.port);
        v.allowed_sources = allowed_sources; // kube-proxy limits the LB address only
        if (backends(s, sp, weighed, v)) out_.claims.push_back(std::move(v));
      }
      if (sp.node_port != 0) {
        for (uint32_t addr : cfg_.node_addresses) {
          service_config v = base;
          v.name = "k8s:" + s.meta.key() + ":" + port_label(sp) + "@" + format_ipv4(addr) +
                   ":" + std::to_string(sp.node_port);
          v.vip = addr;
          v.port = htons(sp.node_port);
          if (backends(s, sp, weighed, v)) out_.claims.push_back(std::move(v));
        }
      }
    }
  }

private:
  // With backends: nodes and externalTrafficPolicy Local, each node's kube-proxy answers
  // GET /healthz on the Service's healthCheckNodePort with 200 while the node has a local
  // endpoint and 503 otherwise; cloud load balancers probe it, and so does this one (timings
  // from kubernetes.health_check when set). It only narrows the nodes the EndpointSlices name.
  std::optional<health_check_config> node_health_check(const service& s) const {
    if (!cfg_.backends_nodes || s.external_traffic_policy != "Local" || s.health_check_node_port == 0)
      return std::nullopt;
    health_check_config hc = cfg_.health_check.value_or(health_check_config{});
    hc.kind = health_check_kind::http;
    hc.port = s.health_check_node_port;
    hc.path = "/healthz";
    hc.expect_status = 200;
    return hc;
  }

  void problem(const service& s, std::string what) {
    out_.problems.push_back(s.meta.key() + ": " + std::move(what));
  }

  // loadBalancerSourceRanges as the LB address's allow-list (empty: open to all). False, with a
  // problem, when the ranges cannot be enforced as written: serving the address to everyone
  // would widen what the owner asked for, so it is not served at all (fail closed).
  bool source_ranges(const service& s, std::vector<ip_prefix>& out) {
    for (const std::string& text : s.load_balancer_source_ranges) {
      if (text.find(':') != std::string::npos) continue; // IPv6 clients never reach an IPv4 VIP
      const auto cidr = parse_ipv4_cidr(text);
      if (!cidr) {
        problem(s, "loadBalancerSourceRanges: \"" + text +
                       "\" is not a CIDR; the LoadBalancer address is not served");
        return false;
      }
      out.push_back(cidr->prefix); // host bits masked, as the API server's validation allows
    }
    if (out.empty() && !s.load_balancer_source_ranges.empty()) {
      problem(s, "loadBalancerSourceRanges: only IPv6 ranges, which allow no IPv4 client; the "
                 "LoadBalancer address is not served");
      return false;
    }
    return true;
  }

  // Fills v.backends; false (with a problem) when the service cannot be programmed.
  bool backends(const service& s, const service_port& sp,
                const std::vector<std::pair<candidate, uint16_t>>& weighed, service_config& v) {
    if (!cfg_.backends_nodes) {
      for (const auto& [c, w] : weighed) {
        if (keeps_port(v.mode) && c.port != ntohs(v.port)) {
          problem(s, "port " + port_label(sp) + ": forwarding " + std::string(name_of(v.mode)) +
                         " cannot change the destination port " + std::to_string(ntohs(v.port)) +
                         " to the endpoint port " + std::to_string(c.port) + "; not programmed");
          return false;
        }
        v.backends.push_back({.addr = c.addr, .port = htons(c.port), .weight = w});
      }
      return true;
    }
    if (sp.node_port == 0) {
      problem(s, "port " + port_label(sp) + ": backends: nodes needs a nodePort "
                 "(allocateLoadBalancerNodePorts is false); not programmed");
      return false;
    }
    if (keeps_port(v.mode) && sp.node_port != ntohs(v.port)) {
      problem(s, "port " + port_label(sp) + ": forwarding " + std::string(name_of(v.mode)) +
                     " to nodes needs the service port to equal the nodePort; not programmed");
      return false;
    }
    if (weighed.empty()) return true; // no endpoint anywhere: nodes would refuse the traffic
    const bool local = s.external_traffic_policy == "Local";
    for (const auto& [name, n] : nodes_) {
      if (n.internal_ip == 0 || n.exclude_from_lb) continue;
      uint16_t weight = 1;
      if (local) {
        // Only nodes with a local endpoint keep the client's address and answer; a node whose
        // local endpoints all drain drains too.
        bool has_any = false;
        bool has_live = false;
        for (const auto& [c, w] : weighed)
          if (c.node == name) {
            has_any = true;
            has_live = has_live || w > 0;
          }
        if (!has_any) continue;
        weight = has_live ? 1 : 0;
      }
      v.backends.push_back({.addr = n.internal_ip, .port = htons(sp.node_port), .weight = weight});
    }
    return true;
  }

  const std::map<std::string, node>& nodes_;
  const kubernetes_config& cfg_;
  service_mapping& out_;
};

std::optional<uint32_t> requested_address(const service& s, std::vector<std::string>& problems) {
  auto it = s.meta.annotations.find(k_annotation_address);
  if (it == s.meta.annotations.end()) return std::nullopt;
  // MetalLB's annotation takes a comma-separated list (one per family); IPv4 is the first.
  const std::string first = it->second.substr(0, it->second.find(','));
  const auto a = parse_ipv4(first);
  if (!a)
    problems.push_back(s.meta.key() + ": " + k_annotation_address + ": \"" + it->second +
                       "\" is not an IPv4 address; ignored");
  return a;
}

} // namespace

std::string status_patch::body() const {
  nlohmann::json list = nlohmann::json::array();
  for (uint32_t ip : ingress) list.push_back({{"ip", format_ipv4(ip)}, {"ipMode", "VIP"}});
  return nlohmann::json{{"status", {{"loadBalancer", {{"ingress", list}}}}}}.dump();
}

bool is_ours(const service& s, const kubernetes_config& cfg) {
  if (s.type != "LoadBalancer") return false;
  if (!s.load_balancer_class) return cfg.class_less;
  return *s.load_balancer_class == cfg.load_balancer_class;
}

allocation_request request_for(const service& s, std::vector<std::string>& problems) {
  allocation_request r{.key = s.meta.key()};
  for (const lb_ingress& i : s.ingress) r.current.push_back(i.ip);
  r.requested = requested_address(s, problems);
  if (auto it = s.meta.annotations.find(k_annotation_pool); it != s.meta.annotations.end())
    r.pool = it->second;
  return r;
}

bool feeds_a_service(const endpoint_slice& s) {
  return !s.service_name.empty() && s.address_type == "IPv4";
}

std::string service_key_of(const endpoint_slice& s) { return s.meta.ns + "/" + s.service_name; }

service_mapping map_service(const service& s, const std::vector<const endpoint_slice*>& slices,
                            const std::map<std::string, node>& nodes,
                            const kubernetes_config& cfg, const std::optional<uint32_t>& lb) {
  service_mapping out;
  mapper(nodes, cfg, out).map(s, slices, lb);
  return out;
}

std::optional<status_patch> wanted_status(const service& s, const std::optional<uint32_t>& lb,
                                          bool had_address) {
  std::vector<uint32_t> have;
  for (const lb_ingress& i : s.ingress) have.push_back(i.ip);
  if (lb) {
    bool mode_ok = true;
    for (const lb_ingress& i : s.ingress) mode_ok = mode_ok && i.ip_mode == "VIP";
    if (have != std::vector<uint32_t>{*lb} || !mode_ok)
      return status_patch{s.meta.ns, s.meta.name, {*lb}, s.meta.resource_version};
  } else if (had_address && !have.empty()) {
    // It was ours and no longer is (class or type changed, or its address was lost):
    // take back the address we published.
    return status_patch{s.meta.ns, s.meta.name, {}, s.meta.resource_version};
  }
  return std::nullopt;
}

std::string clash_problem(const std::string& loser, const std::string& winner) {
  return loser + ": same address, port and protocol as " + winner + "; not programmed";
}

service_event allocation_event(const service& s, const std::string& why) {
  return {s.meta.ns, s.meta.name, "AllocationFailed", why};
}

std::string allocation_problem(const service& s, const std::string& why) {
  return s.meta.key() + ": no LoadBalancer address: " + why;
}

mapping_result map_cluster(const cluster_state& st, const kubernetes_config& cfg,
                           const std::vector<address_pool_config>& pools,
                           const std::map<std::string, uint32_t>& previous) {
  mapping_result out;
  std::vector<allocation_request> requests;
  for (const auto& [key, s] : st.services)
    if (is_ours(s, cfg)) requests.push_back(request_for(s, out.problems));
  allocation_result alloc = allocate(pools, previous, std::move(requests));
  out.allocations = alloc.assigned;
  for (const auto& [key, why] : alloc.failures) {
    const service& s = st.services.at(key);
    out.events.push_back(allocation_event(s, why));
    out.problems.push_back(allocation_problem(s, why));
  }

  std::map<std::string, std::vector<const endpoint_slice*>> slices;
  for (const auto& [key, sl] : st.slices)
    if (feeds_a_service(sl)) slices[service_key_of(sl)].push_back(&sl);
  static const std::vector<const endpoint_slice*> none;
  // Two Services cannot share an address, port and protocol; the first claim keeps it.
  std::map<std::tuple<uint32_t, uint16_t, uint8_t>, std::string> taken;
  for (const auto& [key, s] : st.services) {
    std::optional<uint32_t> lb;
    if (auto it = alloc.assigned.find(key); it != alloc.assigned.end()) lb = it->second;
    const auto sl = slices.find(key);
    service_mapping m = map_service(s, sl == slices.end() ? none : sl->second, st.nodes, cfg, lb);
    for (std::string& p : m.problems) out.problems.push_back(std::move(p));
    for (service_config& v : m.claims) {
      if (auto [it, fresh] = taken.try_emplace(std::tuple(v.vip, v.port, v.proto), v.name); !fresh)
        out.problems.push_back(clash_problem(v.name, it->second));
      else
        out.services.push_back(std::move(v));
    }
    if (auto p = wanted_status(s, lb, previous.contains(key))) out.patches.push_back(std::move(*p));
  }
  std::sort(out.services.begin(), out.services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

} // namespace sluice::k8s
