#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "control/config/load_kubernetes.hpp"
#include "control/k8s/mapping.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/k8s_objects.hpp"

namespace sluice::k8s {
namespace {

using namespace sluice::test;

uint32_t ip(const char* s) { return *parse_ipv4(s); }

struct lab {
  cluster_state st;
  kubernetes_config cfg{.enabled = true, .in_cluster = true};
  std::vector<address_pool_config> pools{{.name = "default", .ranges = {*parse_address_range("192.0.2.10-192.0.2.11")}}};
  std::map<std::string, uint32_t> previous;

  mapping_result run() {
    mapping_result r = map_cluster(st, cfg, pools, previous);
    previous = r.allocations;
    return r;
  }
};

const service_config* find(const mapping_result& r, const std::string& name) {
  for (const service_config& s : r.services)
    if (s.name == name) return &s;
  return nullptr;
}

using weights = std::vector<std::pair<std::string, uint16_t>>;

weights backends_of(const service_config& s) {
  std::vector<std::pair<std::string, uint16_t>> out;
  for (const backend_config& b : s.backends)
    out.push_back({format_ipv4(b.addr) + ":" + std::to_string(ntohs(b.port)), b.weight});
  return out;
}

bool has_problem(const mapping_result& r, const std::string& part) {
  for (const std::string& p : r.problems)
    if (p.find(part) != std::string::npos) return true;
  return false;
}

lab web_lab(const std::string& type = "LoadBalancer") {
  lab l;
  put(l.st, k8s_service("shop", "web", type, {k8s_port("http", 80, 30080, "TCP", 8080)}));
  put(l.st, k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}, {"10.1.0.6", true, true, false, "node-b"}},
                      {k8s_slice_port("http", 8080)}));
  return l;
}

TEST(K8sMapping, LoadBalancerOfOurClassGetsAPoolAddressWithPodBackends) {
  lab l = web_lab();
  const mapping_result r = l.run();
  const service_config* s = find(r, "k8s:shop/web:80/tcp");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->vip, ip("192.0.2.10"));
  EXPECT_EQ(ntohs(s->port), 80);
  EXPECT_EQ(s->proto, IPPROTO_TCP);
  EXPECT_EQ(backends_of(*s), (weights{{"10.1.0.5:8080", 1}, {"10.1.0.6:8080", 1}}));
  ASSERT_EQ(r.patches.size(), 1u);
  EXPECT_EQ(r.patches[0].body(),
            R"({"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10","ipMode":"VIP"}]}}})");
}

TEST(K8sMapping, StatusIsPatchedOnlyWhenItDiffers) {
  lab l = web_lab();
  l.st.services["shop/web"].ingress = {{ip("192.0.2.10"), "VIP"}};
  EXPECT_TRUE(l.run().patches.empty());
}

TEST(K8sMapping, OtherClassGetsNoAddressButItsNodePortsAreServed) {
  lab l = web_lab();
  l.cfg.node_addresses = {ip("10.0.0.2")};
  l.st.services["shop/web"].load_balancer_class = "other.io/lb";
  const mapping_result r = l.run();
  EXPECT_TRUE(r.allocations.empty());
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(r.services[0].name, "k8s:shop/web:80/tcp@10.0.0.2:30080");
  EXPECT_EQ(ntohs(r.services[0].port), 30080);
}

TEST(K8sMapping, ClassLessLoadBalancerServedOnlyWhenConfigured) {
  lab l = web_lab();
  l.st.services["shop/web"].load_balancer_class.reset();
  EXPECT_TRUE(l.run().services.empty());
  l.cfg.class_less = true;
  EXPECT_EQ(l.run().services.size(), 1u);
}

TEST(K8sMapping, NodePortServedOnEveryConfiguredNodeAddress) {
  lab l = web_lab("NodePort");
  l.cfg.node_addresses = {ip("10.0.0.2"), ip("10.0.0.3")};
  const mapping_result r = l.run();
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_EQ(r.services[0].vip, ip("10.0.0.2"));
  EXPECT_EQ(r.services[1].vip, ip("10.0.0.3"));
  EXPECT_TRUE(r.allocations.empty()) << "NodePort Services take no pool address";
}

TEST(K8sMapping, ExternalNameHeadlessAndClusterIpServicesAreSkipped) {
  lab l = web_lab("NodePort");
  l.cfg.node_addresses = {ip("10.0.0.2")};
  l.st.services["shop/web"].cluster_ip = "None";
  EXPECT_TRUE(l.run().services.empty());
  for (const char* type : {"ExternalName", "ClusterIP"}) {
    lab m = web_lab(type);
    m.cfg.node_addresses = {ip("10.0.0.2")};
    EXPECT_TRUE(m.run().services.empty()) << type;
  }
}

TEST(K8sMapping, PortsMatchByNameAndProtocolNeverByTargetPort) {
  lab l;
  l.cfg.node_addresses = {ip("10.0.0.2")};
  // targetPort 9999 names nothing: the slice's port of the same name and protocol is used.
  put(l.st, k8s_service("shop", "dns", "NodePort",
                        {k8s_port("dns", 53, 30053, "UDP", 9999), k8s_port("dns-tcp", 53, 30054, "TCP", 9999)}));
  put(l.st, k8s_slice("shop", "dns", "dns-1", {{"10.1.0.7"}},
                      {k8s_slice_port("dns", 5353, "UDP"), k8s_slice_port("dns-tcp", 5354, "TCP"),
                       k8s_slice_port("dns", 7777, "TCP")}));
  const mapping_result r = l.run();
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_EQ(backends_of(*find(r, "k8s:shop/dns:53/udp@10.0.0.2:30053")),
            (weights{{"10.1.0.7:5353", 1}}));
  EXPECT_EQ(backends_of(*find(r, "k8s:shop/dns:53/tcp@10.0.0.2:30054")),
            (weights{{"10.1.0.7:5354", 1}}));
}

TEST(K8sMapping, TerminatingEndpointsDrainWithWeightZeroWhileOthersAreReady) {
  lab l = web_lab();
  put(l.st, k8s_slice("shop", "web", "web-2",
                      {{"10.1.0.8", false, true, true}, {"10.1.0.9", false, false, false}},
                      {k8s_slice_port("http", 8080)}));
  const mapping_result r = l.run();
  EXPECT_EQ(backends_of(r.services.at(0)),
            (weights{
                {"10.1.0.5:8080", 1}, {"10.1.0.6:8080", 1}, {"10.1.0.8:8080", 0}}))
      << "terminating drains; not ready and not terminating is left out";
}

TEST(K8sMapping, ServingTerminatingEndpointsCarryTrafficWhenNoneIsReady) {
  lab l;
  put(l.st, k8s_service("shop", "web", "LoadBalancer", {k8s_port("http", 80, 30080)}));
  put(l.st, k8s_slice("shop", "web", "web-1",
                      {{"10.1.0.8", false, true, true}, {"10.1.0.9", false, false, true}},
                      {k8s_slice_port("http", 8080)}));
  EXPECT_EQ(backends_of(l.run().services.at(0)),
            (weights{{"10.1.0.8:8080", 1}, {"10.1.0.9:8080", 0}}));
}

TEST(K8sMapping, AnEndpointInTwoSlicesIsOneBackendAndItsReadyCopyWins) {
  lab l = web_lab();
  put(l.st, k8s_slice("shop", "web", "web-2", {{"10.1.0.5", false, false, false}},
                      {k8s_slice_port("http", 8080)}));
  EXPECT_EQ(l.run().services.at(0).backends.size(), 2u);
}

TEST(K8sMapping, SliceOfAnotherNamespaceOrIPv6IsIgnored) {
  lab l = web_lab();
  put(l.st, k8s_slice("other", "web", "web-x", {{"10.9.0.1"}}, {k8s_slice_port("http", 8080)}));
  json v6 = k8s_slice("shop", "web", "web-v6", {{"10.9.0.2"}}, {k8s_slice_port("http", 8080)});
  v6["addressType"] = "IPv6";
  put(l.st, v6);
  EXPECT_EQ(l.run().services.at(0).backends.size(), 2u);
}

TEST(K8sMapping, BackendsNodesUseEachNodesAddressAtTheNodePortSkippingExcludedNodes) {
  lab l = web_lab();
  l.cfg.backends_nodes = true;
  put(l.st, k8s_node("node-a", "192.168.5.1"));
  put(l.st, k8s_node("node-b", "192.168.5.2"));
  put(l.st, k8s_node("node-c", "192.168.5.3", /*excluded=*/true));
  EXPECT_EQ(backends_of(l.run().services.at(0)),
            (weights{{"192.168.5.1:30080", 1},
                                                       {"192.168.5.2:30080", 1}}));
}

TEST(K8sMapping, LocalTrafficPolicyKeepsOnlyNodesWithALocalEndpoint) {
  lab l;
  l.cfg.backends_nodes = true;
  put(l.st, k8s_node("node-a", "192.168.5.1"));
  put(l.st, k8s_node("node-b", "192.168.5.2"));
  put(l.st, k8s_node("node-c", "192.168.5.3"));
  json svc = k8s_service("shop", "web", "LoadBalancer", {k8s_port("http", 80, 30080)});
  svc["spec"]["externalTrafficPolicy"] = "Local";
  put(l.st, svc);
  put(l.st, k8s_slice("shop", "web", "web-1",
                      {{"10.1.0.5", true, true, false, "node-a"},
                       {"10.1.0.6", false, true, true, "node-b"}},
                      {k8s_slice_port("http", 8080)}));
  EXPECT_EQ(backends_of(l.run().services.at(0)),
            (weights{{"192.168.5.1:30080", 1},
                                                       {"192.168.5.2:30080", 0}}))
      << "node-b's only endpoint terminates: it drains; node-c has none";
}

TEST(K8sMapping, LocalTrafficPolicyToNodesProbesEachNodesHealthCheckNodePort) {
  lab l;
  l.cfg.backends_nodes = true;
  l.cfg.health_check = health_check_config{.kind = health_check_kind::tcp, .interval_ms = 500};
  put(l.st, k8s_node("node-a", "192.168.5.1"));
  json svc = k8s_service("shop", "web", "LoadBalancer",
                         {k8s_port("http", 80, 30080), k8s_port("dns", 53, 30053, "UDP")});
  svc["spec"]["externalTrafficPolicy"] = "Local";
  svc["spec"]["healthCheckNodePort"] = 32123;
  put(l.st, svc);
  put(l.st, k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}},
                      {k8s_slice_port("http", 8080), k8s_slice_port("dns", 5353, "UDP")}));
  mapping_result r = l.run();
  for (const char* name : {"k8s:shop/web:80/tcp", "k8s:shop/web:53/udp"}) {
    const service_config* s = find(r, name);
    ASSERT_NE(s, nullptr) << name;
    ASSERT_TRUE(s->health_check) << name;
    EXPECT_EQ(s->health_check->kind, health_check_kind::http);
    EXPECT_EQ(s->health_check->port, 32123) << "kube-proxy's health server, not the nodePort";
    EXPECT_EQ(s->health_check->path, "/healthz");
    EXPECT_EQ(s->health_check->expect_status, 200) << "503: no local endpoint";
    EXPECT_EQ(s->health_check->interval_ms, 500u) << "timings from kubernetes.health_check";
  }
  // Cluster policy, or pod backends: the node's health server says nothing about them.
  l.st.services["shop/web"].external_traffic_policy = "Cluster";
  r = l.run();
  EXPECT_EQ(find(r, "k8s:shop/web:80/tcp")->health_check->kind, health_check_kind::tcp);
  l.st.services["shop/web"].external_traffic_policy = "Local";
  l.cfg.backends_nodes = false;
  EXPECT_EQ(find(l.run(), "k8s:shop/web:80/tcp")->health_check->kind, health_check_kind::tcp);
}

TEST(K8sMapping, BackendsNodesWithoutNodePortIsReportedNotProgrammed) {
  lab l;
  l.cfg.backends_nodes = true;
  put(l.st, k8s_node("node-a", "192.168.5.1"));
  put(l.st, k8s_service("shop", "web", "LoadBalancer", {k8s_port("http", 80)}));
  const mapping_result r = l.run();
  EXPECT_TRUE(r.services.empty());
  EXPECT_TRUE(has_problem(r, "needs a nodePort"));
}

TEST(K8sMapping, ClientIpAffinityBecomesPersistenceTimeout) {
  lab l = web_lab();
  l.st.services["shop/web"].session_affinity = "ClientIP";
  l.st.services["shop/web"].affinity_timeout = 600;
  EXPECT_EQ(l.run().services.at(0).persistence_timeout, 600u);
}

TEST(K8sMapping, AnnotationsChooseForwardingAndScheduler) {
  lab l = web_lab();
  auto& a = l.st.services["shop/web"].meta.annotations;
  a[k_annotation_scheduler] = "mh";
  a[k_annotation_forwarding] = "tun";
  mapping_result r = l.run();
  EXPECT_TRUE(r.services.empty()) << "tun cannot turn port 80 into 8080";
  EXPECT_TRUE(has_problem(r, "forwarding tun cannot change the destination port"));
  a[k_annotation_forwarding] = "nat";
  r = l.run();
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(r.services[0].scheduler, scheduler_kind::mh);
  EXPECT_EQ(r.services[0].mode, forwarding::nat);
}

TEST(K8sMapping, UnknownAnnotationValueFallsBackToTheConfiguredDefaultAndIsReported) {
  lab l = web_lab();
  l.cfg.scheduler = scheduler_kind::wrr;
  l.st.services["shop/web"].meta.annotations[k_annotation_scheduler] = "fastest";
  const mapping_result r = l.run();
  EXPECT_EQ(r.services.at(0).scheduler, scheduler_kind::wrr);
  EXPECT_TRUE(has_problem(r, "\"fastest\" is not an IPVS scheduler"));
}

TEST(K8sMapping, SctpPortIsReportedUnsupportedAndOtherPortsStillServed) {
  lab l;
  put(l.st, k8s_service("shop", "web", "LoadBalancer",
                        {k8s_port("sig", 3868, 0, "SCTP"), k8s_port("http", 80)}));
  put(l.st, k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}},
                      {k8s_slice_port("sig", 3868, "SCTP"), k8s_slice_port("http", 8080)}));
  const mapping_result r = l.run();
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(ntohs(r.services[0].port), 80);
  EXPECT_TRUE(has_problem(r, "protocol SCTP is not supported"));
}

TEST(K8sMapping, SourceRangesBecomeTheLoadBalancerAddressAllowListButNotTheNodePorts) {
  lab l = web_lab();
  l.cfg.node_addresses = {ip("10.0.0.2")};
  // Host bits are masked (the API server accepts them); IPv6 ranges cannot admit IPv4 clients.
  l.st.services["shop/web"].load_balancer_source_ranges = {"203.0.113.7/24", "2001:db8::/32",
                                                           "198.51.100.9"};
  const mapping_result r = l.run();
  const service_config* vip = find(r, "k8s:shop/web:80/tcp");
  ASSERT_NE(vip, nullptr);
  EXPECT_EQ(vip->allowed_sources,
            (std::vector<ip_prefix>{{ip("203.0.113.0"), 24}, {ip("198.51.100.9"), 32}}));
  const service_config* node_port = find(r, "k8s:shop/web:80/tcp@10.0.0.2:30080");
  ASSERT_NE(node_port, nullptr);
  EXPECT_TRUE(node_port->allowed_sources.empty()) << "kube-proxy limits the LB address only";
  EXPECT_TRUE(r.problems.empty());
}

TEST(K8sMapping, SourceRangesThatCannotBeEnforcedFailClosed) {
  for (const std::vector<std::string>& ranges :
       {std::vector<std::string>{"203.0.113.0/24", "not-a-cidr"},
        std::vector<std::string>{"2001:db8::/32"}}) {
    lab l = web_lab();
    l.st.services["shop/web"].load_balancer_source_ranges = ranges;
    const mapping_result r = l.run();
    EXPECT_EQ(find(r, "k8s:shop/web:80/tcp"), nullptr) << ranges.back();
    EXPECT_TRUE(has_problem(r, "loadBalancerSourceRanges")) << ranges.back();
  }
}

TEST(K8sMapping, DeletedServiceReturnsItsAddressToThePool) {
  lab l = web_lab();
  put(l.st, k8s_service("shop", "api", "LoadBalancer", {k8s_port("http", 80)}));
  put(l.st, k8s_service("shop", "zzz", "LoadBalancer", {k8s_port("http", 80)}));
  mapping_result r = l.run();
  EXPECT_EQ(r.allocations.size(), 2u);
  ASSERT_EQ(r.events.size(), 1u) << "two addresses for three Services";
  EXPECT_EQ(r.events[0].name, "zzz");
  EXPECT_EQ(r.events[0].reason, "AllocationFailed");
  const uint32_t api_addr = r.allocations.at("shop/api");
  l.st.services.erase("shop/api");
  r = l.run();
  EXPECT_EQ(r.allocations.at("shop/zzz"), api_addr);
  EXPECT_TRUE(r.events.empty());
}

TEST(K8sMapping, ServiceNoLongerOursHasItsPublishedAddressTakenBack) {
  lab l = web_lab();
  l.run();
  l.st.services["shop/web"].ingress = {{ip("192.0.2.10"), "VIP"}};
  l.st.services["shop/web"].load_balancer_class = "other.io/lb";
  const mapping_result r = l.run();
  ASSERT_EQ(r.patches.size(), 1u);
  EXPECT_TRUE(r.patches[0].ingress.empty());
  EXPECT_EQ(r.patches[0].body(), R"({"status":{"loadBalancer":{"ingress":[]}}})");
}

TEST(K8sMapping, TwoServicesOnOneNodePortKeepTheFirstAndReportTheSecond) {
  lab l = web_lab("NodePort");
  l.cfg.node_addresses = {ip("10.0.0.2")};
  put(l.st, k8s_service("shop", "zweb", "NodePort", {k8s_port("http", 80, 30080)}));
  const mapping_result r = l.run();
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(r.services[0].name, "k8s:shop/web:80/tcp@10.0.0.2:30080");
  EXPECT_TRUE(has_problem(r, "same address, port and protocol"));
}

TEST(K8sMapping, HealthChecksAreOptionalAndNeverAddAnEndpointTheClusterCallsNotReady) {
  lab l;
  put(l.st, k8s_service("shop", "web", "LoadBalancer",
                        {k8s_port("http", 80, 30080, "TCP", 8080), k8s_port("dns", 53, 0, "UDP", 5353)}));
  put(l.st, k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}, {"10.1.0.7", false, false}},
                      {k8s_slice_port("http", 8080), k8s_slice_port("dns", 5353, "UDP")}));
  mapping_result r = l.run();
  ASSERT_NE(find(r, "k8s:shop/web:80/tcp"), nullptr);
  EXPECT_FALSE(find(r, "k8s:shop/web:80/tcp")->health_check) << "no kubernetes.health_check: none";

  l.cfg.health_check = health_check_config{.kind = health_check_kind::http, .path = "/ready"};
  r = l.run();
  const service_config* tcp = find(r, "k8s:shop/web:80/tcp");
  ASSERT_NE(tcp, nullptr);
  ASSERT_TRUE(tcp->health_check);
  EXPECT_EQ(tcp->health_check->path, "/ready");
  EXPECT_EQ(backends_of(*tcp), (weights{{"10.1.0.5:8080", 1}}))
      << "the not-ready endpoint is no backend, checked or not";
  const service_config* udp = find(r, "k8s:shop/web:53/udp");
  ASSERT_NE(udp, nullptr);
  EXPECT_FALSE(udp->health_check) << "a check without a port has nothing to connect to on UDP";

  l.cfg.health_check->port = 8081;
  EXPECT_TRUE(find(l.run(), "k8s:shop/web:53/udp")->health_check);
}

} // namespace
} // namespace sluice::k8s
