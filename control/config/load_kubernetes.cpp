#include "control/config/load_kubernetes.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "control/health/parse.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

std::string at(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

bool boolean(yaml_reader& r, const YAML::Node& n, const std::string& field, bool& out) {
  if (auto c = r.choice(n, field, {"false", "true"})) {
    out = *c == 1;
    return true;
  }
  return false;
}

} // namespace

std::optional<address_range> parse_address_range(std::string_view text) {
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto a = parse_ipv4(text.substr(0, dash));
    const auto b = parse_ipv4(text.substr(dash + 1));
    if (!a || !b || ntohl(*a) > ntohl(*b)) return std::nullopt;
    return address_range{ntohl(*a), ntohl(*b)};
  }
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    const auto a = parse_ipv4(text); // a single address
    if (!a) return std::nullopt;
    return address_range{ntohl(*a), ntohl(*a)};
  }
  const auto a = parse_ipv4(text.substr(0, slash));
  unsigned len = 0;
  const char* b = text.data() + slash + 1;
  const char* e = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(b, e, len);
  if (!a || ec != std::errc{} || ptr != e || b == e || len > 32) return std::nullopt;
  const uint32_t mask = len == 0 ? 0 : ~uint32_t(0) << (32 - len);
  const uint32_t base = ntohl(*a);
  if ((base & ~mask) != 0) return std::nullopt; // host bits set: almost always a typo
  return address_range{base, base | ~mask};
}

void parse_kubernetes(yaml_reader& r, const YAML::Node& n, kubernetes_config& k) {
  if (!r.map(n, "kubernetes",
             {"kubeconfig", "in_cluster", "load_balancer_class", "class_less", "node_addresses",
              "backends", "forwarding", "scheduler", "watch_timeout_seconds",
              "watch_idle_seconds", "request_timeout_seconds", "token_reread_seconds",
              "health_check"}))
    return;
  k.enabled = true;
  if (n["kubeconfig"])
    if (auto s = r.string(n["kubeconfig"], "kubernetes.kubeconfig")) k.kubeconfig = *s;
  if (n["in_cluster"]) boolean(r, n["in_cluster"], "kubernetes.in_cluster", k.in_cluster);
  if (k.in_cluster == !k.kubeconfig.empty())
    r.error(n, "kubernetes",
            "set exactly one of kubeconfig (a file with server, CA and credentials) and "
            "in_cluster: true (the pod's service-account token)");
  if (n["load_balancer_class"])
    if (auto s = r.string(n["load_balancer_class"], "kubernetes.load_balancer_class"))
      k.load_balancer_class = *s;
  if (n["class_less"]) boolean(r, n["class_less"], "kubernetes.class_less", k.class_less);
  if (n["node_addresses"] && r.sequence(n["node_addresses"], "kubernetes.node_addresses"))
    for (std::size_t i = 0; i < n["node_addresses"].size(); ++i)
      if (auto a = r.ipv4(n["node_addresses"][i], at("kubernetes.node_addresses", i)))
        k.node_addresses.push_back(*a);
  if (n["backends"])
    if (auto c = r.choice(n["backends"], "kubernetes.backends", {"pods", "nodes"}))
      k.backends_nodes = *c == 1;
  if (n["forwarding"])
    if (auto m = r.choice(n["forwarding"], "kubernetes.forwarding", {"nat", "dr", "tun", "fnat"}))
      k.mode = static_cast<forwarding>(*m);
  if (n["scheduler"])
    if (auto s = r.choice(n["scheduler"], "kubernetes.scheduler",
                          {"rr", "wrr", "lc", "wlc", "sh", "dh", "mh", "random"}))
      k.scheduler = static_cast<scheduler_kind>(*s);
  if (n["watch_timeout_seconds"])
    if (auto v = r.integer(n["watch_timeout_seconds"], "kubernetes.watch_timeout_seconds", 1, 3600))
      k.watch_timeout_seconds = uint32_t(*v);
  if (n["watch_idle_seconds"])
    if (auto v = r.integer(n["watch_idle_seconds"], "kubernetes.watch_idle_seconds", 1, 3600))
      k.watch_idle_seconds = uint32_t(*v);
  if (n["request_timeout_seconds"])
    if (auto v = r.integer(n["request_timeout_seconds"], "kubernetes.request_timeout_seconds", 1,
                           600))
      k.request_timeout_seconds = uint32_t(*v);
  if (n["token_reread_seconds"])
    if (auto v = r.integer(n["token_reread_seconds"], "kubernetes.token_reread_seconds", 1, 86400))
      k.token_reread_seconds = uint32_t(*v);
  // Checked as for a TCP service with a port: each Kubernetes service has one; UDP services get
  // the check only when it names a TCP port (k8s/mapping.cpp).
  if (n["health_check"])
    k.health_check = parse_health_check(r, n["health_check"], "kubernetes.health_check",
                                        IPPROTO_TCP, htons(1));
}

void parse_address_pools(yaml_reader& r, const YAML::Node& n,
                         std::vector<address_pool_config>& pools) {
  if (!r.sequence(n, "address_pools")) return;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const YAML::Node p = n[i];
    const std::string f = at("address_pools", i);
    if (!r.map(p, f, {"name", "addresses", "auto_assign"})) continue;
    address_pool_config pool;
    if (!p["name"])
      r.error(p, f + ".name", "is required");
    else if (auto s = r.string(p["name"], f + ".name"))
      pool.name = *s;
    if (p["auto_assign"]) boolean(r, p["auto_assign"], f + ".auto_assign", pool.auto_assign);
    if (!p["addresses"]) {
      r.error(p, f + ".addresses", "is required (CIDRs a.b.c.d/len or ranges a.b.c.d-e.f.g.h)");
    } else if (r.sequence(p["addresses"], f + ".addresses")) {
      if (p["addresses"].size() == 0) r.error(p["addresses"], f + ".addresses", "is empty");
      for (std::size_t k = 0; k < p["addresses"].size(); ++k) {
        const YAML::Node a = p["addresses"][k];
        const std::string af = at(f + ".addresses", k);
        auto text = r.string(a, af);
        if (!text) continue;
        auto range = parse_address_range(*text);
        if (!range) {
          r.error(a, af, "not a CIDR (a.b.c.d/len, host bits zero) or range (a.b.c.d-e.f.g.h): \"" +
                             *text + "\"");
          continue;
        }
        // MetalLB refuses overlapping pools: an address must have one owner.
        for (const address_pool_config& other : pools)
          for (const address_range& o : other.ranges)
            if (range->first <= o.last && o.first <= range->last)
              r.error(a, af, "overlaps address pool \"" + other.name + "\"");
        for (const address_range& o : pool.ranges)
          if (range->first <= o.last && o.first <= range->last)
            r.error(a, af, "overlaps another range of this pool");
        pool.ranges.push_back(*range);
      }
    }
    for (const address_pool_config& other : pools)
      if (!pool.name.empty() && other.name == pool.name)
        r.error(p["name"], f + ".name", "duplicate address pool name \"" + pool.name + "\"");
    pools.push_back(std::move(pool));
  }
}

} // namespace sluice
