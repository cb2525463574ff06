// The incremental mapper (k8s/incremental.hpp) against the whole mapping (map_cluster): random
// histories of watch events over a small cluster (so that addresses run out, ports clash and
// slices move between Services), and after every batch the virtual services, allocations,
// Events, problems and wanted statuses must be map_cluster's. Plus the cost: what one event
// re-maps.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <random>

#include "control/k8s/incremental.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice::k8s {
namespace {

uint32_t ip(const char* s) { return *parse_ipv4(s); }

std::vector<address_pool_config> small_pools() {
  return {{.name = "p1", .ranges = {{0xC000020Au, 0xC000020Cu}}},                       // 192.0.2.10-12
          {.name = "p2", .ranges = {{0xC6336401u, 0xC6336402u}}, .auto_assign = false}}; // 198.51.100.1-2
}

// A random cluster, one event at a time.
class history {
public:
  explicit history(uint32_t seed) : rng_(seed) {}

  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[rng_() % v.size()]; }
  bool chance(unsigned percent) { return rng_() % 100 < percent; }
  std::string version() { return std::to_string(++rv_); }

  service random_service() {
    service s;
    s.meta = {.ns = pick<std::string>({"a", "b"}), .name = pick<std::string>({"s0", "s1", "s2", "s3", "s4", "s5"}),
              .resource_version = version()};
    s.type = pick<std::string>({"LoadBalancer", "LoadBalancer", "LoadBalancer", "NodePort", "ClusterIP", "ExternalName"});
    s.cluster_ip = chance(5) ? "None" : "10.96.0.10";
    if (s.type == "LoadBalancer" && !chance(15))
      s.load_balancer_class = chance(85) ? "sluice.io/lb" : "other.io/lb";
    // As the API server validates: port names, port + protocol and node ports unique within a
    // Service (across Services node ports may still collide here, as in a cluster mid-change).
    const unsigned ports = 1 + rng_() % 2;
    const bool swap = chance(50);
    for (unsigned i = 0; i < ports; ++i)
      s.ports.push_back({.name = (i == 0) != swap ? "http" : "dns",
                         .protocol = chance(5) ? l4_protocol::sctp : chance(30) ? l4_protocol::udp : l4_protocol::tcp,
                         .port = uint16_t((i == 0) != swap ? 80 : 443),
                         .node_port = chance(25) ? uint16_t(0) : uint16_t(30080 + 3 * i + rng_() % 3)});
    if (chance(20)) s.external_traffic_policy = "Local";
    if (chance(50)) s.health_check_node_port = 32000;
    if (chance(10)) s.session_affinity = "ClientIP";
    if (chance(10)) s.load_balancer_source_ranges = {pick<std::string>({"10.0.0.0/8", "not-a-cidr", "fd00::/8"})};
    if (chance(15))
      s.meta.annotations[k_annotation_address] =
          pick<std::string>({"192.0.2.10", "192.0.2.12", "198.51.100.1", "203.0.113.9", "junk"});
    if (chance(10)) s.meta.annotations[k_annotation_pool] = pick<std::string>({"p1", "p2", "nope"});
    if (chance(5)) s.meta.annotations[k_annotation_scheduler] = pick<std::string>({"mh", "bogus"});
    if (chance(25))
      s.ingress = {{pick<uint32_t>({ip("192.0.2.10"), ip("192.0.2.11"), ip("198.51.100.2"), ip("203.0.113.5")}),
                    chance(80) ? "VIP" : "Proxy"}};
    return s;
  }

  endpoint_slice random_slice() {
    endpoint_slice s;
    s.meta = {.ns = pick<std::string>({"a", "b"}), .name = pick<std::string>({"e0", "e1", "e2", "e3", "e4", "e5", "e6"}),
              .resource_version = version()};
    s.service_name = chance(5) ? "" : pick<std::string>({"s0", "s1", "s2", "s3", "s4", "s5"});
    s.address_type = chance(5) ? "IPv6" : "IPv4";
    const unsigned n = rng_() % 4;
    for (unsigned i = 0; i < n; ++i)
      s.endpoints.push_back({.addresses = {htonl(0x0a010000u + rng_() % 6)},
                             .ready = chance(70),
                             .serving = chance(80),
                             .terminating = chance(25),
                             .node_name = pick<std::string>({"n0", "n1", "n2", "n3"})});
    s.ports.push_back({.name = "http", .protocol = l4_protocol::tcp, .port = pick<uint16_t>({8080, 80})});
    if (chance(40)) s.ports.push_back({.name = "dns", .protocol = l4_protocol::udp, .port = 5353});
    return s;
  }

  node random_node() {
    node n;
    n.meta = {.name = pick<std::string>({"n0", "n1", "n2", "n3"}), .resource_version = version()};
    n.internal_ip = chance(10) ? 0 : htonl(0x0a000100u + rng_() % 3);
    n.exclude_from_lb = chance(15);
    return n;
  }

  // A DELETED event for a random cached object, in the cache and the mapper.
  template <typename T, typename Erase>
  void erase_one(std::map<std::string, T>& cache, Erase erase) {
    if (cache.empty()) return;
    const std::string key = std::next(cache.begin(), rng_() % cache.size())->first;
    cache.erase(key);
    erase(key);
  }

  // One event applied to both the reference cache and the mapper.
  void step(cluster_state& st, incremental_mapper& m, const std::map<std::string, status_patch>& wanted) {
    const unsigned what = rng_() % 100;
    if (what < 25) {
      service s = random_service();
      st.services[s.meta.key()] = s;
      m.put(std::move(s));
    } else if (what < 32) {
      erase_one(st.services, [&](const std::string& k) { m.erase_service(k); });
    } else if (what < 42 && !wanted.empty()) {
      // Our status write comes back as MODIFIED (as the API server sends it).
      const status_patch& p = std::next(wanted.begin(), rng_() % wanted.size())->second;
      auto it = st.services.find(p.ns + "/" + p.name);
      if (it == st.services.end()) return;
      service s = it->second;
      s.meta.resource_version = version();
      s.ingress.clear();
      for (uint32_t a : p.ingress) s.ingress.push_back({a, "VIP"});
      it->second = s;
      m.put(std::move(s));
    } else if (what < 65) {
      endpoint_slice s = random_slice();
      st.slices[s.meta.key()] = s;
      m.put(std::move(s));
    } else if (what < 72) {
      erase_one(st.slices, [&](const std::string& k) { m.erase_slice(k); });
    } else if (what < 85) {
      node n = random_node();
      st.nodes[n.meta.name] = n;
      m.put(std::move(n));
    } else if (what < 90) {
      erase_one(st.nodes, [&](const std::string& k) { m.erase_node(k); });
    } else {
      // A relist after a 410: some objects changed, some gone while disconnected.
      std::vector<service> items;
      for (auto it = st.services.begin(); it != st.services.end();) {
        if (chance(15)) {
          it = st.services.erase(it);
          continue;
        }
        if (chance(15)) {
          it->second.meta.resource_version = version();
          it->second.external_traffic_policy = chance(50) ? "Local" : "Cluster";
        }
        items.push_back(it->second);
        ++it;
      }
      if (chance(50)) {
        service s = random_service();
        st.services[s.meta.key()] = s;
        items.clear();
        for (const auto& [k, v] : st.services) items.push_back(v);
      }
      m.replace(std::move(items));
    }
  }

private:
  std::mt19937 rng_;
  uint64_t rv_ = 0;
};

template <typename T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void check_histories(const kubernetes_config& cfg, unsigned histories, unsigned steps) {
  for (uint32_t seed = 1; seed <= histories; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    history h(seed);
    cluster_state st;
    incremental_mapper m(cfg, small_pools());
    std::map<std::string, uint32_t> previous;
    std::map<std::string, status_patch> full_wanted, inc_wanted; // latest patch per Service
    std::map<std::string, service_config> delta_view;            // the deltas, applied
    for (unsigned i = 0; i < steps; ++i) {
      const unsigned batch = 1 + (i % 3);
      for (unsigned b = 0; b < batch; ++b) h.step(st, m, inc_wanted);
      const mapping_delta d = m.remap();
      const mapping_result full = map_cluster(st, cfg, small_pools(), previous);
      previous = full.allocations;

      for (const service_config& v : d.upserts) delta_view.insert_or_assign(v.name, v);
      for (const std::string& n : d.removed) delta_view.erase(n);
      for (const status_patch& p : full.patches) full_wanted.insert_or_assign(p.ns + "/" + p.name, p);
      for (const status_patch& p : d.patches) inc_wanted.insert_or_assign(p.ns + "/" + p.name, p);
      for (auto* w : {&full_wanted, &inc_wanted})
        std::erase_if(*w, [&](const auto& kv) { return !st.services.contains(kv.first); });

      ASSERT_EQ(m.services(), full.services) << "step " << i;
      std::vector<service_config> streamed;
      for (const auto& [n, v] : delta_view) streamed.push_back(v);
      ASSERT_EQ(streamed, full.services) << "step " << i << ": the deltas add up to the whole";
      ASSERT_EQ(m.allocations(), full.allocations) << "step " << i;
      ASSERT_EQ(sorted(m.events()), sorted(full.events)) << "step " << i;
      ASSERT_EQ(sorted(m.problems()), sorted(full.problems)) << "step " << i;
      ASSERT_EQ(inc_wanted, full_wanted) << "step " << i;
    }
  }
}

TEST(K8sIncremental, RandomHistoriesMapAsTheWholeMappingWithPodBackends) {
  kubernetes_config cfg{.enabled = true, .in_cluster = true, .node_addresses = {ip("10.0.0.2")}};
  check_histories(cfg, 150, 60);
}

TEST(K8sIncremental, RandomHistoriesMapAsTheWholeMappingWithNodeBackends) {
  kubernetes_config cfg{.enabled = true, .in_cluster = true, .class_less = true,
                        .node_addresses = {ip("10.0.0.2"), ip("10.0.0.3")}, .backends_nodes = true};
  check_histories(cfg, 150, 60);
}

TEST(K8sIncremental, RandomHistoriesMapAsTheWholeMappingWithDirectRouting) {
  // dr keeps the port: endpoints on another port are refused, which flips services in and out.
  kubernetes_config cfg{.enabled = true, .in_cluster = true, .node_addresses = {ip("10.0.0.2")},
                        .mode = forwarding::dr};
  check_histories(cfg, 100, 60);
}

// The cost side: what one event re-maps, in a cluster of many Services.
struct big_cluster {
  kubernetes_config cfg{.enabled = true, .in_cluster = true};
  incremental_mapper m{cfg, {{.name = "big", .ranges = {{0x0a640000u, 0x0a64ffffu}}}}};

  explicit big_cluster(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      m.put(lb("s" + std::to_string(i)));
      m.put(slice("s" + std::to_string(i), 0x0a010000u + i));
    }
    m.remap();
  }
  static service lb(const std::string& name) {
    service s;
    s.meta = {.ns = "x", .name = name, .resource_version = "1"};
    s.type = "LoadBalancer";
    s.load_balancer_class = "sluice.io/lb";
    s.ports = {{.name = "http", .port = 80}};
    return s;
  }
  static endpoint_slice slice(const std::string& svc, uint32_t addr) {
    endpoint_slice s;
    s.meta = {.ns = "x", .name = svc + "-a", .resource_version = "1"};
    s.service_name = svc;
    s.address_type = "IPv4";
    s.endpoints = {{.addresses = {htonl(addr)}}};
    s.ports = {{.name = "http", .port = 8080}};
    return s;
  }
};

TEST(K8sIncremental, AnEndpointSliceEventRemapsItsServiceOnly) {
  big_cluster c(500);
  c.m.put(big_cluster::slice("s42", 0x0a020000u));
  const mapping_delta d = c.m.remap();
  EXPECT_EQ(d.remapped, 1u);
  ASSERT_EQ(d.upserts.size(), 1u);
  EXPECT_EQ(d.upserts[0].name, "k8s:x/s42:80/tcp");
  EXPECT_TRUE(d.removed.empty());
  EXPECT_EQ(c.m.services().size(), 500u);
}

TEST(K8sIncremental, AFreedAddressGoesToTheServiceWaitingForIt) {
  kubernetes_config cfg{.enabled = true, .in_cluster = true};
  incremental_mapper m(cfg, {{.name = "one", .ranges = {{0xC000020Au, 0xC000020Au}}}});
  m.put(big_cluster::lb("first"));
  m.put(big_cluster::lb("second"));
  mapping_delta d = m.remap();
  ASSERT_EQ(d.new_events.size(), 1u);
  EXPECT_EQ(d.new_events[0].name, "second");
  EXPECT_FALSE(m.allocations().contains("x/second"));

  m.erase_service("x/first");
  d = m.remap();
  EXPECT_EQ(m.allocations().at("x/second"), ip("192.0.2.10"));
  EXPECT_EQ(d.remapped, 2u) << "the deleted Service and the one that was waiting";
  EXPECT_EQ(d.deleted, std::vector<std::string>{"x/first"});
  ASSERT_EQ(d.patches.size(), 1u);
  EXPECT_EQ(d.patches[0].name, "second");
  EXPECT_TRUE(m.events().empty());
}

TEST(K8sIncremental, ANodeStatusUpdateThatChangesNothingTheMappingReadsRemapsNothing) {
  kubernetes_config cfg{.enabled = true, .in_cluster = true, .backends_nodes = true};
  incremental_mapper m(cfg, {});
  node n{.meta = {.name = "n0", .resource_version = "1"}, .internal_ip = ip("10.0.1.1")};
  m.put(n);
  m.remap();
  n.meta.resource_version = "2"; // a kubelet heartbeat
  m.put(n);
  EXPECT_FALSE(m.pending());
  n.exclude_from_lb = true;
  m.put(n);
  EXPECT_TRUE(m.pending());
}

} // namespace
} // namespace sluice::k8s
